// A loopback OpenID Connect provider for the project's tests and demo. TEST-ONLY: never deploy.
//
// Built on the npm package `oidc-provider` (panva), pinned in package.json (v8: the last major that
// supports Node.js 20 LTS; v9 requires Node.js 22). Install once with
//     npm ci --prefix tests/oidc_provider     (or `make install-dev`)
// Start with
//     node tests/oidc_provider/server.js --config path/to/config.json
// or with the path in the environment variable OIDC_PROVIDER_CONFIG. It listens on 127.0.0.1 only,
// prints `READY <issuer>` on stdout once it accepts connections, logs one line per request (and
// provider events such as back-channel results and server errors) to stderr, and exits cleanly on
// SIGTERM / SIGINT.
//
// Config JSON (see README.md beside this file for the full format):
//   { "port": 9001, "issuer": "http://127.0.0.1:9001", "keys_file": "keys.json",
//     "admin_token": "...", "clients": [...], "users": [...],
//     optional: "logout_prompt": "auto" | "button", "require_pkce": true, "cookie_keys": [...] }
// A relative keys_file is resolved against the config file's folder. When it does not exist an
// RSA-2048 signing key is generated and written there (mode 0600).
//
// What it does:
// - Authorization code flow; PKCE with S256 only, required for every client (unless
//   "require_pkce": false); state and nonce as the spec says; ID tokens signed RS256.
// - Its own login page (labels "Username" / "Password", button "Sign in"); consent is granted
//   automatically (no consent screen). A disabled user is refused with a message.
// - Scopes openid email profile groups. The ID token carries the scope claims (email, name,
//   given_name, family_name, preferred_username, groups) as well as amr / acr from the user's config
//   at the time they signed in (conformIdTokenClaims is false).
// - RP-initiated logout (end_session_endpoint): the confirmation page submits itself
//   ("logout_prompt": "auto", the default) or waits for its "Sign out" button ("button").
// - Back-channel logout: for every client with a backchannel_logout_uri,
//   backchannel_logout_session_required defaults to true, so ID tokens carry `sid` and logout
//   tokens carry both `sub` and `sid`.
// - Admin API under /_admin/ for tests (Authorization: Bearer <admin_token>); see README.md.
//   Key rotation builds a new Provider instance in the same process with the new key set; the
//   in-memory store (sessions, grants, codes, tokens) and cookie keys are shared by all instances,
//   so sessions survive a rotation.

import { generateKeyPairSync, createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import Provider, { interactionPolicy } from 'oidc-provider';

// ---------------------------------------------------------------------------------------------
// Configuration

function parseArgs(argv) {
  const index = argv.indexOf('--config');
  if (index !== -1 && argv[index + 1]) {
    return argv[index + 1];
  }
  const inline = argv.find((arg) => arg.startsWith('--config='));
  if (inline) {
    return inline.slice('--config='.length);
  }
  return process.env.OIDC_PROVIDER_CONFIG;
}

function fail(message) {
  process.stderr.write(`oidc test provider: ${message}\n`);
  process.exit(2);
}

const configPath = parseArgs(process.argv.slice(2));
if (!configPath) {
  fail('usage: node server.js --config path/to/config.json (or set OIDC_PROVIDER_CONFIG)');
}

let config;
try {
  config = JSON.parse(readFileSync(configPath, 'utf8'));
} catch (err) {
  fail(`cannot read config ${configPath}: ${err.message}`);
}

const PORT = Number(config.port);
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  fail('config "port" must be a TCP port number');
}
const ISSUER = (config.issuer || `http://127.0.0.1:${PORT}`).replace(/\/$/, '');
const ADMIN_TOKEN = config.admin_token || '';
const LOGOUT_PROMPT = config.logout_prompt || 'auto';
const REQUIRE_PKCE = config.require_pkce !== false;
const COOKIE_KEYS = config.cookie_keys || [randomBytes(32).toString('base64url')];
const KEYS_FILE = config.keys_file
  ? path.resolve(path.dirname(path.resolve(configPath)), config.keys_file)
  : undefined;

// ---------------------------------------------------------------------------------------------
// Users (in memory; the admin API changes them)

const USER_FIELDS = new Set([
  'sub', 'username', 'password', 'email', 'name', 'given_name', 'family_name', 'groups', 'amr',
  'acr', 'disabled',
]);

function normaliseUser(raw) {
  const user = {
    sub: String(raw.sub),
    username: String(raw.username),
    password: String(raw.password ?? ''),
    email: raw.email ?? undefined,
    name: raw.name ?? undefined,
    given_name: raw.given_name ?? undefined,
    family_name: raw.family_name ?? undefined,
    groups: Array.isArray(raw.groups) ? raw.groups.map(String) : [],
    amr: Array.isArray(raw.amr) && raw.amr.length ? raw.amr.map(String) : ['pwd'],
    acr: raw.acr ? String(raw.acr) : undefined,
    disabled: Boolean(raw.disabled),
  };
  if (!raw.sub || !raw.username) {
    throw new Error('a user needs "sub" and "username"');
  }
  return user;
}

const usersByName = new Map();
for (const raw of config.users || []) {
  const user = normaliseUser(raw);
  usersByName.set(user.username, user);
}

function userBySub(sub) {
  for (const user of usersByName.values()) {
    if (user.sub === sub) return user;
  }
  return undefined;
}

function publicUser(user) {
  return JSON.parse(JSON.stringify(user));
}

// ---------------------------------------------------------------------------------------------
// Signing keys

function thumbprint(jwk) {
  // RFC 7638 JWK thumbprint of an RSA key: the required members in lexicographic order.
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

function generateRsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprint(jwk), use: 'sig', alg: 'RS256' };
}

function loadKeys() {
  if (KEYS_FILE && existsSync(KEYS_FILE)) {
    const jwks = JSON.parse(readFileSync(KEYS_FILE, 'utf8'));
    if (!Array.isArray(jwks.keys) || !jwks.keys.length) {
      fail(`${KEYS_FILE} holds no keys`);
    }
    return jwks;
  }
  const jwks = { keys: [generateRsaKey()] };
  saveKeys(jwks);
  return jwks;
}

function saveKeys(jwks) {
  if (KEYS_FILE) {
    writeFileSync(KEYS_FILE, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  }
}

let signingKeys = loadKeys();

// ---------------------------------------------------------------------------------------------
// Storage: one in-memory store shared by every Provider instance of this process, so that a key
// rotation (which builds a new instance) keeps sessions, grants, codes and tokens.

const store = new Map(); // `${model}:${id}` -> { payload, expiresAt }
const uidIndex = new Map(); // session uid -> session id
const userCodeIndex = new Map(); // user code -> id

function liveEntry(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt && entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry;
}

class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
    store.set(this.key(id), { payload, expiresAt });
    if (this.model === 'Session' && payload.uid) uidIndex.set(payload.uid, id);
    if (payload.userCode) userCodeIndex.set(payload.userCode, id);
  }

  async find(id) {
    return liveEntry(this.key(id))?.payload;
  }

  async findByUid(uid) {
    const id = uidIndex.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = userCodeIndex.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const entry = liveEntry(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const [key, entry] of store) {
      if (key.startsWith(`${this.model}:`) && entry.payload.grantId === grantId) {
        store.delete(key);
      }
    }
  }
}

function sessionsOf(sub) {
  const sessions = [];
  for (const key of [...store.keys()]) {
    if (!key.startsWith('Session:')) continue;
    const entry = liveEntry(key);
    if (entry && entry.payload.accountId === sub) {
      sessions.push({ id: key.slice('Session:'.length), payload: entry.payload });
    }
  }
  return sessions;
}

function endSession({ id, payload }) {
  // Ends a provider session: revokes what its grants issued, and forgets the session.
  for (const { grantId } of Object.values(payload.authorizations || {})) {
    if (!grantId) continue;
    for (const [key, entry] of [...store]) {
      if (entry.payload.grantId === grantId) store.delete(key);
    }
    store.delete(`Grant:${grantId}`);
  }
  store.delete(`Session:${id}`);
  if (payload.uid) uidIndex.delete(payload.uid);
}

// ---------------------------------------------------------------------------------------------
// HTML

function esc(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#1d1d1d}
h1{font-size:1.4rem}label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font-size:1rem}
button{margin-top:1.25rem;padding:.5rem 1.25rem;font-size:1rem}
.error{background:#fde8e8;border:1px solid #b42318;color:#7a1a11;padding:.75rem;margin-top:1rem}
.note{color:#555;font-size:.85rem;margin-top:2rem}`;

function page(title, body, { script } = {}) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<p class="note">Test identity provider. For tests and demos only.</p>
</main>
${script ? `<script>${script}</script>` : ''}
</body>
</html>`;
}

function loginPage({ uid, clientName, username = '', error = '' }) {
  return page('Sign in', `<h1>Sign in${clientName ? ` to ${esc(clientName)}` : ''}</h1>
${error ? `<div class="error" role="alert">${esc(error)}</div>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${esc(username)}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${esc(uid)}/abort">
<button type="submit">Cancel</button>
</form>`);
}

async function logoutSource(ctx, form) {
  // `form` is oidc-provider's <form id="op.logoutForm"> with the xsrf field; the button adds
  // logout=yes, which ends the whole provider session (and back-channels every client in it).
  const auto = LOGOUT_PROMPT === 'auto';
  ctx.body = page('Sign out', `<h1>Sign out</h1>
<p>Do you want to sign out of the test identity provider?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="sign-out">Sign out</button>`, {
    script: auto
      ? "document.addEventListener('DOMContentLoaded',function(){document.getElementById('sign-out').click()});"
      : undefined,
  });
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<h1>Signed out</h1><p>You have signed out of the test identity provider.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  const rows = Object.entries(out)
    .map(([key, value]) => `<dt>${esc(key)}</dt><dd>${esc(value)}</dd>`)
    .join('');
  ctx.body = page('Error', `<h1>Something went wrong</h1><dl>${rows}</dl>`);
}

// ---------------------------------------------------------------------------------------------
// Provider

function clientMetadata(raw) {
  const client = { ...raw };
  for (const key of Object.keys(client)) {
    if (client[key] === null || client[key] === undefined) delete client[key];
  }
  client.redirect_uris = client.redirect_uris || [];
  client.post_logout_redirect_uris = client.post_logout_redirect_uris || [];
  client.response_types = client.response_types || ['code'];
  client.grant_types = client.grant_types || ['authorization_code'];
  client.token_endpoint_auth_method = client.token_endpoint_auth_method || 'client_secret_basic';
  client.id_token_signed_response_alg = client.id_token_signed_response_alg || 'RS256';
  if (client.backchannel_logout_uri) {
    if (client.backchannel_logout_session_required === undefined) {
      client.backchannel_logout_session_required = true;
    }
  } else {
    delete client.backchannel_logout_session_required;
  }
  return client;
}

function interactionPolicyWithAccountCheck() {
  // A provider session whose user has since been disabled (or removed) needs a new login: the
  // login page then refuses the disabled user, and prompt=none gets login_required.
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(new interactionPolicy.Check(
    'account_unavailable',
    'End-User account is disabled or unknown',
    'login_required',
    (ctx) => (ctx.oidc.session.accountId && !ctx.oidc.account
      ? interactionPolicy.Check.REQUEST_PROMPT
      : interactionPolicy.Check.NO_NEED_TO_PROMPT),
  ), 1);
  return policy;
}

function acrValues() {
  return [...new Set([...usersByName.values()].map((user) => user.acr).filter(Boolean))];
}

function buildProvider() {
  const provider = new Provider(ISSUER, {
    adapter: MemoryAdapter,
    clients: (config.clients || []).map(clientMetadata),
    jwks: { keys: signingKeys.keys.map((key) => ({ ...key })) },
    cookies: {
      keys: COOKIE_KEYS,
      // Prefixed names, so they cannot clash with the relying party's cookies on the same host.
      names: {
        session: 'test_op_session',
        interaction: 'test_op_interaction',
        resume: 'test_op_interaction_resume',
      },
    },
    // acr, amr and auth_time sit in the openid scope so that every ID token carries them (as
    // stand-alone claims oidc-provider would add them only when the RP asks through the claims
    // parameter, max_age or acr_values). UserInfo does not repeat them.
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      groups: ['groups'],
      iss: null,
      sid: null,
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    acrValues: acrValues(),
    responseTypes: ['code'],
    conformIdTokenClaims: false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    pkce: {
      methods: ['S256'],
      required: () => REQUIRE_PKCE,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
    },
    interactions: {
      policy: interactionPolicyWithAccountCheck(),
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    renderError,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
    // As Keycloak does: a client allowed the refresh_token grant gets a refresh token with every
    // code, without offline_access and prompt=consent (oidc-provider's default asks for both).
    // The relying party uses it once a day to ask whether the account is still enabled.
    async issueRefreshToken(ctx, client, code) {
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('openid');
    },
    async findAccount(ctx, sub) {
      const user = userBySub(sub);
      if (!user || user.disabled) return undefined;
      return {
        accountId: user.sub,
        async claims() {
          // Read at the moment a token is issued, so admin changes show in the next token.
          const current = userBySub(sub) || user;
          return {
            sub: current.sub,
            email: current.email,
            email_verified: current.email ? true : undefined,
            name: current.name,
            given_name: current.given_name,
            family_name: current.family_name,
            preferred_username: current.username,
            groups: [...current.groups],
          };
        },
      };
    },
  });

  const log = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  provider.on('server_error', (ctx, err) => log(`server_error ${err.stack || err}`));
  for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error']) {
    provider.on(event, (ctx, err) => log(`${event} ${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`));
  }
  provider.on('backchannel.success', (ctx, client, accountId, sid) => {
    log(`backchannel.success client=${client.clientId} sub=${accountId} sid=${sid}`);
  });
  provider.on('backchannel.error', (ctx, err, client, accountId, sid) => {
    log(`backchannel.error client=${client.clientId} sub=${accountId} sid=${sid} ${err.message}`);
  });
  return provider;
}

let provider = buildProvider();
let providerHandler = provider.callback();

// ---------------------------------------------------------------------------------------------
// Back-channel logout from the admin API

async function sendLogoutToken(client, sub, sid) {
  // Builds the logout token exactly as oidc-provider's Client#backchannelLogout does (same IdToken
  // class, `use: 'logout'`: iss, aud, iat, exp, jti, sub, events, typ logout+jwt, signed with the
  // current key) and posts it, so the admin API can report the relying party's HTTP status.
  const token = new provider.IdToken({ sub }, { client, ctx: undefined });
  token.mask = { sub: null };
  token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
  token.set('jti', randomUUID());
  if (sid) token.set('sid', sid);
  const logoutToken = await token.issue({ use: 'logout' });
  const result = {
    client_id: client.clientId,
    backchannel_logout_uri: client.backchannelLogoutUri,
    sid: sid || null,
    logout_token: logoutToken,
    status: null,
    ok: false,
    error: null,
  };
  try {
    const response = await fetch(client.backchannelLogoutUri, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: logoutToken }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    result.status = response.status;
    result.ok = response.status === 200 || response.status === 204;
    await response.arrayBuffer().catch(() => undefined);
  } catch (err) {
    result.error = String(err.cause?.message || err.message);
  }
  return result;
}

async function backchannelLogout(user) {
  const sessions = sessionsOf(user.sub);
  const sent = [];
  for (const raw of config.clients || []) {
    const client = await provider.Client.find(raw.client_id);
    if (!client || !client.backchannelLogoutUri) continue;
    const sids = sessions
      .map(({ payload }) => payload.authorizations?.[client.clientId]?.sid)
      .filter(Boolean);
    for (const sid of sids.length ? sids : [undefined]) {
      sent.push(await sendLogoutToken(client, user.sub, sid));
    }
  }
  for (const session of sessions) endSession(session);
  return { sub: user.sub, sessions_ended: sessions.length, sent };
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

function readBody(req, limit = 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

function sendJson(res, status, value) {
  send(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}

// ---------------------------------------------------------------------------------------------
// Interactions: login form and automatic consent

async function autoConsent(req, res, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details || {};
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const savedId = await grant.save();
  const consent = grantId ? {} : { grantId: savedId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function clientName(clientId) {
  const client = await provider.Client.find(String(clientId || ''));
  return client?.clientName || client?.clientId || '';
}

async function handleInteraction(req, res, url) {
  const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
  if (!match) return send(res, 404, page('Not found', '<h1>Not found</h1>'));
  const [, uid, action] = match;
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    return send(res, 400, page('Sign-in expired', `<h1>Sign-in expired</h1>
<p>This sign-in request is no longer valid (${esc(err.message)}). Start again from the application.</p>`));
  }
  if (details.uid !== uid) {
    return send(res, 400, page('Sign-in expired', '<h1>Sign-in expired</h1><p>Start again from the application.</p>'));
  }

  if (req.method === 'GET' && !action) {
    if (details.prompt.name === 'consent') return autoConsent(req, res, details);
    return send(res, 200, loginPage({
      uid, clientName: await clientName(details.params.client_id), username: details.params.login_hint,
    }));
  }

  if (req.method === 'POST' && action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }

  if (req.method === 'POST' && action === 'login') {
    const form = new URLSearchParams(await readBody(req));
    const username = (form.get('username') || '').trim();
    const password = form.get('password') || '';
    const user = usersByName.get(username);
    const name = await clientName(details.params.client_id);
    const passwordOk = user && user.password.length > 0 && timingSafeEqualText(password, user.password);
    if (!passwordOk) {
      return send(res, 401, loginPage({ uid, clientName: name, username, error: 'Wrong username or password.' }));
    }
    if (user.disabled) {
      return send(res, 403, loginPage({ uid, clientName: name, username, error: 'This account is disabled.' }));
    }
    const login = { accountId: user.sub, amr: [...user.amr], remember: true };
    if (user.acr) login.acr = user.acr;
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }

  return send(res, 405, page('Method not allowed', '<h1>Method not allowed</h1>'));
}

function timingSafeEqualText(a, b) {
  const left = createHash('sha256').update(String(a)).digest();
  const right = createHash('sha256').update(String(b)).digest();
  return timingSafeEqual(left, right);
}

// ---------------------------------------------------------------------------------------------
// Admin API

function authorised(req) {
  if (!ADMIN_TOKEN) return false;
  const header = req.headers.authorization || '';
  return header.startsWith('Bearer ') && timingSafeEqualText(header.slice(7), ADMIN_TOKEN);
}

async function readJson(req) {
  const text = await readBody(req);
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw Object.assign(new Error('body must be a JSON object'), { status: 400 });
}

async function handleAdmin(req, res, url) {
  if (!authorised(req)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return sendJson(res, ADMIN_TOKEN ? 401 : 403, {
      error: ADMIN_TOKEN ? 'invalid or missing admin token' : 'admin API disabled (no admin_token in config)',
    });
  }
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent); // ['_admin', ...]

  if (req.method === 'GET' && parts.length === 2 && parts[1] === 'keys') {
    return sendJson(res, 200, signingKeys);
  }

  if (req.method === 'POST' && parts.length === 2 && parts[1] === 'rotate-keys') {
    const body = await readJson(req);
    const key = generateRsaKey();
    const previous = body.drop_old ? [] : signingKeys.keys;
    signingKeys = { keys: [key, ...previous] };
    saveKeys(signingKeys);
    provider = buildProvider();
    providerHandler = provider.callback();
    return sendJson(res, 200, { kid: key.kid, kids: signingKeys.keys.map((k) => k.kid) });
  }

  if (req.method === 'GET' && parts.length === 2 && parts[1] === 'users') {
    return sendJson(res, 200, [...usersByName.values()].map(publicUser));
  }

  if (parts[1] === 'users' && parts.length >= 3) {
    const username = parts[2];
    const user = usersByName.get(username);

    if (req.method === 'GET' && parts.length === 3) {
      if (!user) return sendJson(res, 404, { error: `no user ${username}` });
      return sendJson(res, 200, publicUser(user));
    }

    if (req.method === 'POST' && parts.length === 3) {
      const changes = await readJson(req);
      const unknown = Object.keys(changes).filter((key) => !USER_FIELDS.has(key));
      if (unknown.length) return sendJson(res, 400, { error: `unknown user fields: ${unknown.join(', ')}` });
      if ('username' in changes && changes.username !== username) {
        return sendJson(res, 400, { error: 'username cannot be changed' });
      }
      if (!user) {
        if (!changes.sub || !changes.password) {
          return sendJson(res, 404, { error: `no user ${username}; to create one, give at least sub and password` });
        }
        if (userBySub(String(changes.sub))) return sendJson(res, 409, { error: `sub ${changes.sub} is taken` });
        const created = normaliseUser({ ...changes, username });
        usersByName.set(username, created);
        return sendJson(res, 201, publicUser(created));
      }
      if ('sub' in changes && String(changes.sub) !== user.sub) {
        return sendJson(res, 400, { error: 'sub cannot be changed' });
      }
      const updated = normaliseUser({ ...user, ...changes, username });
      usersByName.set(username, updated);
      return sendJson(res, 200, publicUser(updated));
    }

    if (req.method === 'POST' && parts.length === 4 && parts[3] === 'backchannel-logout') {
      if (!user) return sendJson(res, 404, { error: `no user ${username}` });
      return sendJson(res, 200, await backchannelLogout(user));
    }
  }

  return sendJson(res, 404, { error: `no admin route ${req.method} ${url.pathname}` });
}

// ---------------------------------------------------------------------------------------------
// Server

const server = http.createServer(async (req, res) => {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stderr.write(`${new Date().toISOString()} ${req.method} ${req.url} ${res.statusCode} ${ms.toFixed(1)}ms\n`);
  });
  const url = new URL(req.url, ISSUER);
  try {
    if (url.pathname === '/_admin' || url.pathname.startsWith('/_admin/')) {
      await handleAdmin(req, res, url);
    } else if (url.pathname.startsWith('/interaction/')) {
      await handleInteraction(req, res, url);
    } else {
      providerHandler(req, res);
    }
  } catch (err) {
    process.stderr.write(`${new Date().toISOString()} error ${err.stack || err}\n`);
    if (!res.headersSent) {
      if (url.pathname.startsWith('/_admin')) sendJson(res, err.status || 500, { error: err.message });
      else send(res, err.status || 500, page('Error', `<h1>Something went wrong</h1><p>${esc(err.message)}</p>`));
    } else {
      res.end();
    }
  }
});

server.listen(PORT, '127.0.0.1', () => {
  process.stdout.write(`READY ${ISSUER}\n`);
});

server.on('error', (err) => fail(`cannot listen on 127.0.0.1:${PORT}: ${err.message}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
