//! A generic HTTP SMS gateway: one request per message, its URL, method, headers and body
//! from the configuration (minijinja templates), and the provider's answer sorted by the
//! configured status lists into accepted, try again, and refused for good (401, 403 and
//! 407 are the gateway's own refusal: another provider may take the message).

use crate::config::SmsHttpConfig;
use crate::notify::SendError;
use minijinja::Environment;
use std::time::Duration;

pub struct HttpGateway {
    config: SmsHttpConfig,
    token: String,
    client: reqwest::Client,
    env: Environment<'static>,
}

fn environment(config: &SmsHttpConfig) -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template_owned("body".to_string(), config.body.clone())
        .map_err(|e| format!("the body template does not parse: {e}"))?;
    for (name, value) in &config.headers {
        env.add_template_owned(format!("header:{name}"), value.clone())
            .map_err(|e| format!("the template of header {name} does not parse: {e}"))?;
    }
    Ok(env)
}

/// Checks the templates of a gateway's configuration (for check-config).
pub fn check_templates(config: &SmsHttpConfig) -> Result<(), String> {
    let env = environment(config)?;
    let ctx = minijinja::context! {to => "+420601234567", text => "test", sender => "TEST",
    id => "0", token => "token"};
    for name in std::iter::once("body".to_string())
        .chain(config.headers.keys().map(|k| format!("header:{k}")))
    {
        env.get_template(&name)
            .and_then(|t| t.render(&ctx))
            .map_err(|e| format!("template {name} fails: {e}"))?;
    }
    Ok(())
}

impl HttpGateway {
    pub fn new(config: &SmsHttpConfig) -> anyhow::Result<HttpGateway> {
        use anyhow::Context;
        let token = match &config.token_file {
            Some(p) => std::fs::read_to_string(p)
                .with_context(|| format!("while reading sms.http.token_file {}", p.display()))?
                .trim()
                .to_string(),
            None => String::new(),
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(config.timeout_secs))
            .build()
            .context("while building the SMS gateway's HTTP client")?;
        Ok(HttpGateway {
            env: environment(config).map_err(anyhow::Error::msg)?,
            config: config.clone(),
            token,
            client,
        })
    }

    /// Sends one message (the provider splits it); returns the provider's id when the
    /// configured pointer finds one.
    pub async fn send(
        &self,
        alert_id: &str,
        sender: &str,
        to: &str,
        text: &str,
    ) -> Result<Vec<String>, SendError> {
        let ctx = minijinja::context! {to, text, sender, id => alert_id, token => self.token};
        let render = |name: &str| {
            self.env
                .get_template(name)
                .and_then(|t| t.render(&ctx))
                .map_err(|e| SendError::Permanent(format!("SMS gateway template {name}: {e}")))
        };
        let method = reqwest::Method::from_bytes(self.config.method.as_bytes())
            .map_err(|_| SendError::Permanent("SMS gateway: bad method".into()))?;
        let mut request = self
            .client
            .request(method, &self.config.url)
            .header(reqwest::header::CONTENT_TYPE, &self.config.content_type)
            .body(render("body")?);
        for name in self.config.headers.keys() {
            request = request.header(name.as_str(), render(&format!("header:{name}"))?);
        }
        let response = request.send().await.map_err(|e| {
            SendError::Temporary(format!(
                "SMS gateway: {}",
                if e.is_timeout() {
                    "time-out"
                } else {
                    "cannot reach it"
                }
            ))
        })?;
        let status = response.status().as_u16();
        if self.config.success.contains(&status) {
            let id = match &self.config.message_id_pointer {
                Some(pointer) => {
                    let body = bounded_json(response).await;
                    match body.pointer(pointer) {
                        Some(serde_json::Value::String(s)) => Some(s.clone()),
                        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                        _ => None,
                    }
                }
                None => None,
            };
            Ok(id.into_iter().collect())
        } else if self.config.temporary.contains(&status) {
            Err(SendError::Temporary(format!(
                "SMS gateway: HTTP {status}, refused for now"
            )))
        } else if matches!(status, 401 | 403 | 407) {
            // Its credentials, not the message: another provider may take it.
            Err(SendError::Provider(format!(
                "SMS gateway: HTTP {status}, check sms.http.token_file"
            )))
        } else {
            Err(SendError::Permanent(format!(
                "SMS gateway: HTTP {status}, refused"
            )))
        }
    }
}

/// The largest gateway answer read: a message id needs far less.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A gateway's JSON answer, read up to [`MAX_ANSWER_BYTES`] (Null past it, when it broke
/// off or when it is not JSON; serde_json refuses nesting deeper than 128 levels).
async fn bounded_json(response: reqwest::Response) -> serde_json::Value {
    match hlidac_adapters::capped::body(response, MAX_ANSWER_BYTES).await {
        Ok(body) => serde_json::from_slice(&body).unwrap_or_default(),
        Err(_) => serde_json::Value::Null,
    }
}
