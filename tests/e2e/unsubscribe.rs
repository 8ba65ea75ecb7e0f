//! Every e-mail has a text and an HTML part and a one-click unsubscribe (RFC 8058) that
//! works without logging in: the header's link stops that topic, the footer's link stops
//! everything, a forged link does nothing, and opening the page changes nothing.

use crate::helpers::*;
use reqwest::StatusCode;

fn path_of(url: &str) -> String {
    let url = url.trim().trim_start_matches('<').trim_end_matches('>');
    let after_scheme = url.split("://").nth(1).expect("absolute URL");
    format!("/{}", after_scheme.split_once('/').expect("path").1)
}

/// The link on the line of `text` that starts with `label`.
fn link_after(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no line {label:?} in {text}"))
        .to_string()
}

/// A mail program's one-click unsubscribe (RFC 8058) at `url`: the answer's status.
async fn one_click(client: &reqwest::Client, url: &str) -> StatusCode {
    client
        .post(url)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post")
        .status()
}

#[tokio::test]
async fn one_click_unsubscribe_stops_a_topic_then_everything() {
    let mut t = crate::timeline::on_timeline().await;
    let base = t.serve_web().await;
    let client = reqwest::Client::new();
    let m = t
        .cycle_expecting(&[
            (JANA_MAIL, "sledujeme vaše podání"),
            (PETR_MAIL, "new bill –"),
        ])
        .await;
    let jana = &m[0];
    assert_eq!(jana.list_unsubscribe_post, "List-Unsubscribe=One-Click");
    assert!(
        jana.list_unsubscribe.contains(".submissions."),
        "{}",
        jana.list_unsubscribe
    );
    assert!(
        jana.html.contains("<p>") && jana.html.contains("MULH 12/2026"),
        "{}",
        jana.html
    );
    let footer = link_after(&jana.body, "Zastavit všechna upozornění: ");
    assert!(
        jana.html.contains(&format!(
            "<a href=\"{footer}\">Zastavit všechna upozornění</a>"
        )),
        "the HTML part links it too, in words"
    );
    // Beside it, a link in words that stops this topic only, as the header does.
    let topic_footer = link_after(&jana.body, "Zastavit e-maily o podáních: ");
    assert!(topic_footer.contains(".submissions."), "{topic_footer}");
    assert!(jana.html.contains(&format!(
        "<a href=\"{topic_footer}\">Zastavit e-maily o podáních</a>"
    )));

    // Opening the page or posting a forged token changes nothing.
    let topic_path = path_of(&jana.list_unsubscribe);
    let page = client
        .get(format!("{base}{topic_path}"))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .expect("page")
        .contains("<form method=\"post\">"));
    let forged = topic_path.replace(".submissions.", ".receivables.");
    assert_eq!(
        one_click(&client, &format!("{base}{forged}")).await,
        StatusCode::NOT_FOUND
    );

    // One click: no more submission alerts, fee alerts still come.
    assert_eq!(
        one_click(&client, &format!("{base}{topic_path}")).await,
        StatusCode::OK
    );
    t.sim.step(); // a new fee
    t.cycle_expecting(&[(JANA_MAIL, "nový poplatek k úhradě – Poplatek za odpady")])
        .await;
    t.sim.step(); // the request is assigned
    assert!(t.cycle().await.is_empty(), "unsubscribed from submissions");

    // The footer's link: nothing at all any more.
    let resp = client
        .post(format!("{base}{}", path_of(&footer)))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::OK);
    t.sim.step(); // paid
    assert!(t.cycle().await.is_empty(), "unsubscribed from everything");
}
