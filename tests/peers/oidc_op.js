#!/usr/bin/env node
// The OpenID Connect Provider that hlidac's tests log in against, built on the npm package
// `oidc-provider` (installed into .peers/node by `scripts/install-deps test`).
//
//   node tests/peers/oidc_op.js --port N --redirect-uri URI --client-id ID --client-secret SECRET
//        [--claims FILE.json] [--id-token-alg RS256|ES256|PS256]
//
// Listens on 127.0.0.1:N (0 = a free port) and prints one line `listening <port>`; nothing else
// goes to stdout. The issuer is http://127.0.0.1:<port>, its discovery document at
// /.well-known/openid-configuration.
//   --redirect-uri, --client-id, --client-secret  the one client: code flow with PKCE (S256)
//           required, client_secret_basic (client_secret_post is accepted too).
//   --claims FILE.json  the one account's claims (default DEFAULT_CLAIMS below). `sub` is the
//           account id; `acr` and `amr`, when present, are the login's and go into the ID token
//           (an essential `acr` asked for with the `claims` parameter must be among its values).
//           Scopes release: profile = the standard profile claims, the schema.id.rs claims and
//           any other name the file has; email = email, email_verified; phone = phone_number,
//           phone_number_verified.
//           The ID token carries the released claims too, not only userinfo.
//   --id-token-alg  the ID token's signature (default RS256); a key for it is made at start
//           and published at the jwks_uri.
// There is no login page: /interaction/<uid> logs the account in and grants what was asked
// for at once, so a client that follows redirects and keeps cookies goes from /auth straight
// to the redirect URI with code and state. SIGTERM/SIGINT end it with status 0.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { createRequire } = require('module');
const { pathToFileURL } = require('url');

// oidc-provider prints notices with console.info; stdout carries only the `listening` line.
console.info = console.error;
console.log = console.error;

const DEFAULT_CLAIMS = {
  sub: 'rs-0001',
  given_name: 'Петар',
  family_name: 'Петровић',
  birthdate: '1985-03-02',
  email: 'petar@example.rs',
  email_verified: true,
  phone_number: '+381641234567',
};

const PROFILE_CLAIMS = [
  'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username',
  'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
];
// Claims of the Serbian eID, released with `profile` even when the claims file lacks them.
const SERBIAN_EID_CLAIMS = ['umcn', 'givenname', 'familyname', 'mail', 'ial', 'aal']
  .map((name) => `http://schema.id.rs/claims/${name}`);
const SCOPED_CLAIMS = {
  // acr and amr under openid: oidc-provider puts a claim into the ID token only when a scope
  // or the request asks for it, and RPs seldom send acr_values.
  openid: ['sub', 'acr', 'amr'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};
// Facts of the login, not of the account: given with the login result, from which
// oidc-provider takes them into the ID token (userinfo does not carry them).
const LOGIN_CLAIMS = ['acr', 'amr'];

const ID_TOKEN_KEYS = {
  RS256: ['rsa', { modulusLength: 2048 }],
  PS256: ['rsa', { modulusLength: 2048 }],
  ES256: ['ec', { namedCurve: 'P-256' }],
};

function parseArgs(argv) {
  const options = {
    port: null,
    redirectUri: null,
    clientId: null,
    clientSecret: null,
    claims: null,
    idTokenAlg: 'RS256',
  };
  const names = {
    '--port': 'port',
    '--redirect-uri': 'redirectUri',
    '--client-id': 'clientId',
    '--client-secret': 'clientSecret',
    '--claims': 'claims',
    '--id-token-alg': 'idTokenAlg',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!(name in names)) usage(`unknown option ${name}`);
    if (value === undefined) usage(`${name} needs a value`);
    options[names[name]] = value;
  }
  for (const name of ['--port', '--redirect-uri', '--client-id', '--client-secret']) {
    if (options[names[name]] === null) usage(`${name} is required`);
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port wants a port number, not ${options.port}`);
  options.port = port;
  if (!(options.idTokenAlg in ID_TOKEN_KEYS)) usage(`--id-token-alg wants one of ${Object.keys(ID_TOKEN_KEYS).join(', ')}`);
  return options;
}

function usage(message) {
  process.stderr.write(`oidc_op: ${message}\n`);
  process.exit(2);
}

// The package as installed by scripts/install-deps, else one found the usual way.
async function loadProvider() {
  let file;
  try {
    file = createRequire(path.join(__dirname, '../../.peers/node/package.json')).resolve('oidc-provider');
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    file = require.resolve('oidc-provider');
  }
  // oidc-provider is an ES module: require() cannot load it on Node.js 18.
  return (await import(pathToFileURL(file).href)).default;
}

function loadAccount(file) {
  const claims = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : DEFAULT_CLAIMS;
  if (typeof claims.sub !== 'string' || claims.sub === '') usage('the claims file needs a string "sub"');
  const login = {};
  const account = {};
  for (const [name, value] of Object.entries(claims)) {
    if (LOGIN_CLAIMS.includes(name)) login[name] = value;
    else account[name] = value;
  }
  return { sub: claims.sub, claims: account, login };
}

// Which scope releases which claim; a claim the file has that no scope names goes to profile.
function claimsByScope(account) {
  const named = new Set([...PROFILE_CLAIMS, ...SERBIAN_EID_CLAIMS, ...Object.values(SCOPED_CLAIMS).flat()]);
  const others = Object.keys(account.claims).filter((name) => !named.has(name));
  return {
    ...SCOPED_CLAIMS,
    profile: [...PROFILE_CLAIMS, ...SERBIAN_EID_CLAIMS, ...others],
  };
}

function signingKey(alg) {
  const [type, parameters] = ID_TOKEN_KEYS[alg];
  const { privateKey } = crypto.generateKeyPairSync(type, parameters);
  const kid = `${alg.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`;
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

function configuration(options, account) {
  return {
    clients: [{
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: [options.redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: options.idTokenAlg,
    }],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    jwks: { keys: [signingKey(options.idTokenAlg)] },
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'profile', 'email', 'phone'],
    claims: claimsByScope(account),
    // Released claims go into the ID token as well, not only to userinfo.
    conformIdTokenClaims: false,
    acrValues: typeof account.login.acr === 'string' ? [account.login.acr] : [],
    // The `claims` request parameter: an RP may ask for `acr` as an essential claim with the
    // values it accepts; a login whose acr is not among them is not finished.
    features: { devInteractions: { enabled: false }, claimsParameter: { enabled: true } },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    async findAccount(ctx, sub) {
      if (sub !== account.sub) return undefined;
      return { accountId: sub, claims: async () => ({ ...account.claims }) };
    },
  };
}

// Stands in for the login and consent pages: the account logs in and every scope asked for
// is granted; interactionFinished answers with a redirect back to the authorization endpoint.
async function finishInteraction(provider, account, req, res) {
  const details = await provider.interactionDetails(req, res);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: account.sub, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  const result = {
    login: { accountId: account.sub, ...account.login },
    consent: { grantId },
  };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const account = loadAccount(options.claims);
  const Provider = await loadProvider();

  // The issuer names the port, so the port is taken before the Provider is made.
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, configuration(options, account));
  const callback = provider.callback();

  server.on('request', (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(url.pathname)) {
      finishInteraction(provider, account, req, res).catch((err) => {
        // E.g. SessionNotFound when the client did not send back the cookies /auth set.
        const message = [err.message, err.error_description].filter(Boolean).join(': ');
        process.stderr.write(`oidc_op: interaction: ${message}\n`);
        if (!res.headersSent) res.writeHead(err.statusCode || 500, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${message}\n`);
      });
      return;
    }
    callback(req, res);
  });
  server.on('error', (err) => {
    process.stderr.write(`oidc_op: ${err.message}\n`);
    process.exit(1);
  });

  process.stdout.write(`listening ${port}\n`);
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

main().catch((err) => {
  process.stderr.write(`oidc_op: ${err.stack || err}\n`);
  process.exit(1);
});
