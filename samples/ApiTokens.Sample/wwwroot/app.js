"use strict";
// The API Tokens page: plain DOM over the management API (/api/tokens). Everything shown that came
// from the server or a client (app names!) goes through textContent, never innerHTML.

const ROLE_LABEL = { admin: "Admin", normal: "Normal", readOnly: "Read only" };
const RANK = { readOnly: 0, normal: 1, admin: 2 };
const STATE_LABEL = { allow: "Allow", pending: "Pending", deny: "Deny" };
let me = null;
let settings = { defaultLifetimeDays: null, maxLifetimeDays: null, rotationGracePeriodSeconds: 3600, maxRotationGracePeriodSeconds: 604800 };
let rotating = null;        // the token the rotate dialog is for
let shownTokens = "";       // the last list rendered, to re-render only what changed
let pollTimer = null;
const POLL_MS = 5000;        // live updates: the page re-reads who you are and the tokens every 5 s

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

// version: the token's version as shown (its ETag), sent as If-Match so a change made elsewhere
// since is refused (412) instead of overwritten.
async function api(method, path, body, version) {
  return (await apiResponse(method, path, body, version)).data;
}

async function apiResponse(method, path, body, version) {
  const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  if (version !== undefined) options.headers["If-Match"] = `"${version}"`;
  const response = await fetch(path, options);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error((data && (data.message || data.detail || data.title)) || `HTTP ${response.status}`);
    error.status = response.status;
    error.code = data && data.code;
    throw error;
  }
  return { data, response };
}

// Every page of a paged list (R28), following the Link header's rel="next".
async function getAll(path) {
  const items = [];
  let next = path;
  while (next) {
    const { data, response } = await apiResponse("GET", next);
    items.push(...data);
    const link = response.headers.get("Link") || "";
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(link);
    next = match ? match[1] : null;
  }
  return items;
}

function showAlert(message, kind) {
  const alert = $("alert");
  alert.textContent = message;
  alert.className = kind === "info" ? "alert info" : "alert";
  alert.hidden = !message;
}

function fmt(date) {
  return date ? new Date(date).toLocaleString() : "";
}

async function run(action, successMessage) {
  try {
    showAlert("");
    await action();
    if (successMessage) showAlert(successMessage, "info");
  } catch (error) {
    if (error.status === 401) return start("Your session has ended, so your last change was not saved. Sign in again to continue.");
    if (error.status === 412) {
      await refresh();
      showAlert("This token was changed elsewhere (another tab or person) — reloaded. Nothing was changed; check it and try again.");
      return;
    }
    showAlert(error.message + (error.code ? ` (${error.code})` : ""));
  }
  await refresh();
}

// ---- sign-in -------------------------------------------------------------------------------

async function signIn(userName) {
  try {
    await api("POST", "/login", { userName });
    await start();
  } catch (error) {
    $("signin").hidden = false;
    alertSignIn(error.message);
  }
}

function alertSignIn(message) {
  let note = document.querySelector("#signin .alert");
  if (!note) {
    note = el("p", { class: "alert", role: "alert" });
    $("signin-form").after(note);
  }
  note.textContent = message;
}

// The members there are now, so a removed member is not offered.
async function loadQuickUsers() {
  let members = [];
  try { members = await api("GET", "/api/demo-members"); } catch { /* the form still works */ }
  $("quick-users").replaceChildren(...members.map((m) => el("li", {},
    el("button", { type: "button", "data-user": m.userName, onclick: () => signIn(m.userName) }, m.userName),
    ` ${ROLE_LABEL[m.role]} of ${m.account}`)));
}

async function start(signInMessage) {
  const wasSignedIn = !!me;
  try {
    me = await api("GET", "/api/me");
  } catch {
    me = null;
  }
  $("signin").hidden = !!me;
  $("tokens-page").hidden = !me;
  $("who").hidden = !me;
  if (!me) {
    stopPolling();
    shownTokens = "";
    $("secret-panel").hidden = true;
    await loadQuickUsers();
    if (signInMessage) alertSignIn(signInMessage);
    $("username").focus();
    return;
  }
  if (!wasSignedIn) $("page-title").focus();
  try { settings = await api("GET", "/api/token-settings"); } catch { /* keep the defaults */ }
  startPolling();
  $("who-name").textContent = me.displayName + " (" + me.userName + ")";
  $("who-role").textContent = me.role ? ROLE_LABEL[me.role] : "Not a member";
  $("who-account").textContent = me.accountName;
  $("new-account-token").hidden = me.role !== "admin";
  $("new-token").disabled = !me.role || me.role === "readOnly";
  $("new-token").title = me.role === "readOnly" ? "Read-only members cannot create tokens" : "";
  $("not-member").hidden = !!me.role;
  await refresh(true);
}

function startPolling() {
  if (!pollTimer) pollTimer = setInterval(poll, POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

// Live updates: who you are (a role change or removal elsewhere) and the tokens (new pending apps,
// changes from another tab). Nothing is re-rendered while a dialog is open or the list has focus.
async function poll() {
  if (document.hidden || $("create-dialog").open || $("rotate-dialog").open) return;
  const before = JSON.stringify(me);
  try {
    const now = await api("GET", "/api/me");
    if (JSON.stringify(now) !== before) return start();
  } catch (error) {
    if (error.status === 401) return start("Your session has ended. Sign in again to continue.");
    return;
  }
  if ($("token-list").contains(document.activeElement) && document.activeElement !== document.body) return;
  await refresh(false);
}

// ---- tokens --------------------------------------------------------------------------------

async function refresh(force = true) {
  if (!me) return;
  let tokens;
  try {
    tokens = me.role ? await getAll("/api/tokens") : [];
  } catch (error) {
    if (error.status === 401) return start("Your session has ended. Sign in again to continue.");
    showAlert(error.message);
    return;
  }
  leaks = await loadLeakNotices();
  const json = JSON.stringify([tokens, leaks]);
  if (!force && json === shownTokens) { await refreshWebhooks(); return; }
  shownTokens = json;
  const list = $("token-list");
  list.replaceChildren();
  if (tokens.length === 0) {
    const text = !me.role ? "You are no longer a member of this account."
      : me.role === "readOnly" ? "No tokens you can see yet. Read-only members cannot create tokens; ask a member with a higher role."
      : "No tokens yet. Use “New token” to create one.";
    list.append(el("p", { class: "empty card", text }));
  }
  // Active tokens first; retired ones grouped at the end, collapsed (a page with 100+ tokens stays usable).
  const active = tokens.filter((t) => !t.retired), retired = tokens.filter((t) => t.retired);
  for (const token of active) list.append(renderToken(token));
  if (retired.length > 0) {
    // Collapsed once the page holds more than a screenful of tokens (unless opened here before).
    const open = retiredOpen ?? tokens.length <= 10;
    const group = el("details", { class: "retired-group", "data-testid": "retired-group", open },
      el("summary", { text: `Retired tokens (${retired.length})` }));
    group.addEventListener("toggle", () => { retiredOpen = group.open; });
    for (const token of retired) group.append(renderToken(token));
    list.append(group);
  }
  applyFilter();
  const waiting = tokens.filter((t) => canManage(t) && !t.retired && !t.expired).reduce((n, t) => n + t.apps.filter((a) => a.state === "pending").length, 0);
  $("pending-count").hidden = waiting === 0;
  $("pending-count").textContent = waiting === 1 ? "1 app waiting for your approval" : `${waiting} apps waiting for your approval`;
  await refreshMembers();
  await refreshWebhooks();
}

// R31, R32: tokens retired because their secret was found in public (notices since the service
// started; the card still says so after a restart, from retiredBy).
let leaks = [];

async function loadLeakNotices() {
  let notices = [];
  try {
    notices = me.role ? await api("GET", "/api/leak-notices") : [];
  } catch {
    notices = [];
  }
  const box = $("leak-notices");
  const list = $("leak-list");
  list.replaceChildren();
  for (const n of notices) {
    const name = `“${n.description || n.secretHint}”`;
    const where = n.url ? el("a", { href: n.url, text: n.url, rel: "noopener noreferrer" }) : document.createTextNode("a public place (someone asked to revoke it)");
    list.append(el("li", { "data-testid": "leak-notice" },
      `Token ${name} was found at `, where, `${n.source ? ` (${n.source})` : ""} on ${fmt(n.at)} and retired at once; its secrets no longer work. Create a new token for whatever used it.`));
  }
  box.hidden = notices.length === 0;
  return notices;
}

function retiredText(token) {
  const notice = leaks.find((n) => n.tokenId === token.id);
  if (notice?.url) return `Retired: found public at ${notice.url}`;
  if (token.retiredBy?.startsWith("leak-report:") || notice) return "Retired: found public";
  if (token.retiredBy === "revocation-request") return "Retired: revoked by someone who found it";
  return "Retired";
}

// The filter: by description, app name, state (allow/pending/deny, retired, expired), id or hint.
let retiredOpen = null;   // null: by size; then as the person left it

function applyFilter() {
  const words = $("token-filter").value.trim().toLowerCase().split(/\s+/).filter((w) => w);
  for (const card of document.querySelectorAll("#token-list article.token")) {
    const text = card.dataset.search || "";
    card.hidden = !words.every((w) => text.includes(w));
  }
}

function canManage(token) {
  if (!me.role) return false;
  return me.role === "admin" || (token.type === "user" && token.ownerId === me.userName);
}

function privilegeOptions(current) {
  const mine = RANK[me.role] ?? -1;
  return ["readOnly", "normal", "admin"].map((p) =>
    el("option", { value: p, text: ROLE_LABEL[p], selected: p === current, disabled: RANK[p] > mine && p !== current }));
}

// R38: days until a live token expires, when within 30; days a live token has been idle, when past
// the service's UnusedWarningAfter. null otherwise.
const DAY = 86400000;
function expiresInDays(token) {
  if (token.retired || token.expired || !token.expiresAt) return null;
  const left = new Date(token.expiresAt) - Date.now();
  return left <= 30 * DAY ? Math.max(0, Math.ceil(left / DAY)) : null;
}
function idleDays(token) {
  if (token.retired || token.expired) return null;
  const since = new Date(token.lastUsedAt || token.createdAt);
  const after = (settings?.unusedWarningAfterSeconds ?? 90 * 86400) * 1000;
  const idle = Date.now() - since;
  return idle >= after ? Math.floor(idle / DAY) : null;
}
function daysText(n) { return n === 1 ? "1 day" : `${n} days`; }

function renderToken(token) {
  // An expired token (R21) can only be retired; a retired one not even that.
  const manageable = canManage(token) && !token.retired && !token.expired;
  const name = `token “${token.description || token.secretHint}”`;
  const expiring = expiresInDays(token);
  const idle = idleDays(token);
  const search = [token.description, token.secretHint, token.id, token.type, token.ownerId, token.retired ? "retired" : "active", token.expired ? "expired" : "", ...(token.scopes || []),
    expiring !== null ? "expiring expires soon" : "", idle !== null ? "idle unused" : "", token.selfRotate ? "self-rotating" : "",
    ...token.apps.flatMap((a) => [a.name, a.state, STATE_LABEL[a.state]])].filter((x) => x).join(" ").toLowerCase();
  const card = el("article", { class: "token" + (token.retired ? " retired" : "") + (token.expired ? " expired" : ""), dataset: { tokenId: token.id, testid: "token", search } });

  card.append(el("header", {},
    el("span", { class: "badge " + token.type, text: token.type === "user" ? "User token" : "Account token", "data-testid": "token-type" }),
    el("span", { class: "desc", text: token.description || "(no description)" }),
    token.retired ? el("span", { class: "badge retired", text: retiredText(token), "data-testid": "retired-badge" }) : null,
    token.expired && !token.retired ? el("span", { class: "badge expired", text: "Expired", "data-testid": "expired-badge" }) : null,
    expiring !== null ? el("span", { class: "badge expiring", text: expiring === 0 ? "Expires today" : `Expires in ${daysText(expiring)}`, "data-testid": "expiring-badge" }) : null,
    expiring !== null && manageable ? el("button", { type: "button", class: "link", "data-action": "rotate-expiring", text: "Rotate now",
      "aria-label": `Rotate now: ${name}`, onclick: () => openRotate(token) }) : null,
    idle !== null ? el("span", { class: "badge idle", text: `Idle for ${daysText(idle)}`, "data-testid": "idle-badge",
      title: token.lastUsedAt ? `Last used ${fmt(token.lastUsedAt)}` : "Never used" }) : null));

  const meta = el("dl", { class: "meta" });
  const add = (label, value) => { if (value) meta.append(el("dt", { text: label }), el("dd", { text: value })); };
  add("Token", token.secretHint);
  add("Id", token.id);
  add("Owner", token.type === "user" ? token.ownerId : "the account");
  add("Created", `${fmt(token.createdAt)} by ${token.createdBy}`);
  if (token.promotedAt) add("Promoted", `${fmt(token.promotedAt)} by ${token.promotedBy} (was ${token.formerOwnerId}'s)`);
  if (token.retired) add("Retired", `${fmt(token.retiredAt)} by ${token.retiredBy}`);
  add(token.expired ? "Expired" : "Expires", token.expiresAt ? fmt(token.expiresAt) : "never");
  add("Last used", token.lastUsedAt ? fmt(token.lastUsedAt) : "never");
  add("Scopes", token.scopes && token.scopes.length > 0 ? token.scopes.join(", ") : "all its privilege allows");
  if (token.rotatedAt) {
    const graceLeft = token.previousSecretExpiresAt && new Date(token.previousSecretExpiresAt) > new Date();
    add("Rotated", fmt(token.rotatedAt) + (graceLeft ? ` — the previous secret works until ${fmt(token.previousSecretExpiresAt)}` : ""));
  }
  for (const dd of meta.querySelectorAll("dd")) {
    const label = dd.previousElementSibling.textContent;
    if (label === "Expires" || label === "Expired") dd.dataset.testid = "expires";
    if (label === "Last used") dd.dataset.testid = "last-used";
    if (label === "Scopes") dd.dataset.testid = "scopes";
  }
  card.append(meta);

  const privilege = el("select", { "data-field": "privilege", "aria-label": `Privilege of ${name}`, disabled: !manageable,
    onchange: (e) => run(() => api("PATCH", `/api/tokens/${encodeURIComponent(token.id)}`, { privilege: e.target.value }, token.version), "Privilege changed.") },
    privilegeOptions(token.privilege));
  const defaultState = el("select", { "data-field": "defaultAppState", "aria-label": `Default app state of ${name}`, disabled: !manageable,
    onchange: (e) => run(() => api("PATCH", `/api/tokens/${encodeURIComponent(token.id)}`, { defaultAppState: e.target.value }, token.version), "Default app state changed.") },
    ["allow", "pending", "deny"].map((s) => el("option", { value: s, text: STATE_LABEL[s], selected: s === token.defaultAppState })));

  const controls = el("div", { class: "controls" },
    el("label", {}, "Privilege", privilege),
    el("span", { class: "muted", "data-testid": "effective-privilege",
      text: "Effective: " + (token.effectivePrivilege ? ROLE_LABEL[token.effectivePrivilege] : "none") }),
    el("label", {}, "Default app state", defaultState),
    // R39: whether the token may rotate itself.
    el("label", { class: "inline" },
      el("input", { type: "checkbox", "data-field": "selfRotate", checked: !!token.selfRotate, disabled: !manageable, "aria-label": `Rotates itself: ${name}`,
        onchange: (e) => run(() => api("PATCH", `/api/tokens/${encodeURIComponent(token.id)}`, { selfRotate: e.target.checked }, token.version),
          e.target.checked ? "The token may now rotate itself." : "The token may no longer rotate itself.") }),
      "Rotates itself"),
    el("span", { class: "spacer" }));
  if (me.role === "admin" && token.type === "user" && !token.retired && !token.expired) {
    controls.append(el("button", { type: "button", "data-action": "promote", text: "Promote to account token", "aria-label": `Promote to account token: ${name}`,
      onclick: () => {
        if (confirm("Promote this user token to an account token? It will no longer belong to " + token.ownerId + ". This cannot be undone.")) {
          run(() => api("POST", `/api/tokens/${encodeURIComponent(token.id)}/promote`, undefined, token.version), "Token promoted.");
        }
      } }));
  }
  if (manageable) {
    controls.append(el("button", { type: "button", "data-action": "rotate", text: "Rotate", "aria-label": `Rotate ${name}`,
      onclick: () => openRotate(token) }));
  }
  if (canManage(token) && !token.retired) {
    controls.append(el("button", { type: "button", class: "danger", "data-action": "retire", text: "Retire", "aria-label": `Retire ${name}`,
      onclick: () => {
        if (confirm("Retire this token? Every program using it loses access immediately. This cannot be undone.")) {
          run(() => api("POST", `/api/tokens/${encodeURIComponent(token.id)}/retire`, undefined, token.version), "Token retired.");
        }
      } }));
  }
  card.append(controls);
  card.append(renderAccess(token, manageable));
  card.append(renderApps(token, manageable));
  card.append(renderUsage(token));
  card.append(renderHistory(token));
  return card;
}

// R33, R34: where the token may be used from, and how fast. The editor shows the browser's own
// address and asks before saving ranges that leave it out.
// Kept across re-renders: which editors are open, and what was typed but not saved (a refused
// save must not wipe what the person wrote).
const accessOpen = new Set();
const accessDraft = new Map();

function renderAccess(token, manageable) {
  const networks = token.allowedNetworks || [];
  const limit = token.rateLimit;
  const summaryText = `Networks and rate limit: ${networks.length === 0 ? "any network" : networks.length === 1 ? "1 network" : `${networks.length} networks`}, ${limit ? `${limit.limit} requests per ${limit.windowSeconds} s` : "no limit of its own"}`;
  const box = el("details", { class: "access-box", "data-testid": "access", open: accessOpen.has(token.id) },
    el("summary", { text: summaryText, "data-testid": "access-summary", "aria-label": `${summaryText} — ${tokenName(token)}` }));
  box.addEventListener("toggle", () => { if (box.open) accessOpen.add(token.id); else accessOpen.delete(token.id); });
  const draft = accessDraft.get(token.id);
  const id = `access-${token.id}`;
  const ranges = el("textarea", { id: `${id}-networks`, rows: "3", spellcheck: "false", disabled: !manageable, "data-field": "allowedNetworks",
    "aria-describedby": `${id}-hint` });
  ranges.value = draft ? draft.ranges : networks.join("\n");
  const own = settings.clientAddress;
  const requests = el("input", { id: `${id}-limit`, type: "number", min: "1", max: "10000000", inputmode: "numeric", disabled: !manageable, "data-field": "limit", value: draft ? draft.limit : limit ? String(limit.limit) : "" });
  const windowSeconds = el("input", { id: `${id}-window`, type: "number", min: "1", max: "3600", inputmode: "numeric", disabled: !manageable, "data-field": "windowSeconds", value: draft ? draft.window : limit ? String(limit.windowSeconds) : "60" });
  const keep = () => accessDraft.set(token.id, { ranges: ranges.value, limit: requests.value, window: windowSeconds.value });
  const form = el("form", { class: "access-form", onsubmit: (e) => {
    e.preventDefault();
    const list = ranges.value.split(/[\s,]+/).map((r) => r.trim()).filter((r) => r);
    if (list.length > 0 && own && !list.some((r) => cidrContains(r, own))
        && !confirm(`None of these ranges holds your own address (${own}): programs on this computer would get 403 with this token. Save anyway?`)) {
      return;
    }
    const rateLimit = requests.value ? { limit: Number(requests.value), windowSeconds: Number(windowSeconds.value || 60) } : null;
    run(async () => {
      await api("PATCH", `/api/tokens/${encodeURIComponent(token.id)}`, { allowedNetworks: list, rateLimit }, token.version);
      accessDraft.delete(token.id);
    }, "Networks and rate limit saved.");
  }, oninput: keep },
    el("label", { for: ranges.id, text: "Allowed networks — one CIDR range or address per line; empty for any" }),
    ranges,
    el("p", { id: `${id}-hint`, class: "muted", "data-testid": "own-address", text: own ? `Your address: ${own}` : "" }),
    el("div", { class: "row" },
      el("label", { for: requests.id, text: "Requests (empty: no limit of its own)" }), requests,
      el("label", { for: windowSeconds.id, text: "per seconds" }), windowSeconds),
    manageable ? el("button", { type: "submit", text: "Save", "aria-label": `Save networks and rate limit of ${tokenName(token)}` }) : null);
  box.append(form);
  return box;
}

// Whether a CIDR range (or bare address) holds an address; IPv4 and IPv6, in the browser.
function cidrContains(range, address) {
  const [base, bitsText] = range.split("/");
  const a = parseIp(base), b = parseIp(address);
  if (!a || !b || a.bits !== b.bits) return false;
  const bits = bitsText === undefined ? a.bits : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > a.bits) return false;
  const shift = BigInt(a.bits - bits);
  return (a.value >> shift) === (b.value >> shift);
}

function parseIp(text) {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { bits: 32, value: parts.reduce((v, p) => (v << 8n) | BigInt(p), 0n) };
  }
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(text);
  if (mapped) return parseIp(mapped[1]);
  if (!/^[0-9a-f:]+$/i.test(text) || text.split("::").length > 2) return null;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const left = head ? head.split(":") : [], right = tail ? tail.split(":") : [];
  const groups = tail === null ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return { bits: 128, value: groups.reduce((v, g) => (v << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

// R35: requests per day over the last 30 days, stacked by outcome, with the same numbers as a table
// per app (the chart's text alternative); read when opened. Apps that keep knocking while pending
// or denied are marked, and each app's row in the list gets its 30-day total.
const usageOpen = new Set();
const OUTCOMES = [["allowed", "Allowed"], ["pending", "Pending"], ["denied", "Denied"], ["limited", "Limited"]];

function renderUsage(token) {
  const body = el("div", { class: "usage-body" });
  const details = el("details", { class: "usage-box", "data-testid": "usage", open: usageOpen.has(token.id) },
    el("summary", { text: "Usage, last 30 days", "aria-label": `Usage, last 30 days — ${tokenName(token)}` }), body);
  // Kept open across re-renders (the list re-renders when a token is used), and read again then.
  details.addEventListener("toggle", async () => {
    if (!details.open) { usageOpen.delete(token.id); return; }
    usageOpen.add(token.id);
    if (!body.firstChild) body.append(el("p", { class: "muted", text: "Loading…" }));
    try {
      const usage = await api("GET", `/api/tokens/${encodeURIComponent(token.id)}/usage?days=30`);
      body.replaceChildren(...usageView(token, usage));
      markApps(details.closest("article"), usage);
    } catch (error) {
      body.replaceChildren(el("p", { class: "alert", text: error.message }));
    }
  });
  return details;
}

function usageView(token, usage) {
  const days = [];
  const today = new Date();
  for (let i = 29; i >= 0; i--) days.push(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i)).toISOString().slice(0, 10));
  const perDay = new Map(days.map((d) => [d, { allowed: 0, pending: 0, denied: 0, limited: 0 }]));
  const perApp = new Map();
  for (const u of usage) {
    const day = perDay.get(u.day);
    const app = perApp.get(u.app) || { allowed: 0, pending: 0, denied: 0, limited: 0 };
    for (const [key] of OUTCOMES) { if (day) day[key] += u[key]; app[key] += u[key]; }
    perApp.set(u.app, app);
  }
  const total = [...perApp.values()].reduce((n, a) => n + a.allowed + a.pending + a.denied + a.limited, 0);
  if (total === 0) return [el("p", { class: "empty", text: "No requests in the last 30 days." })];

  const max = Math.max(1, ...[...perDay.values()].map((d) => d.allowed + d.pending + d.denied + d.limited));
  // The plot with its axes: requests on the left (0, half, the busiest day), days below (the first,
  // the middle and today), so a bar's height and date can be read without the table.
  const left = 34, plotWidth = 300, plotHeight = 80, bottom = 16, bar = plotWidth / 30;
  const width = left + plotWidth + 4, height = plotHeight + bottom;
  const ns = "http://www.w3.org/2000/svg";
  const svgEl = (name, attributes, text) => {
    const node = document.createElementNS(ns, name);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, class: "usage-chart", role: "img" });
  svg.setAttribute("aria-label", `Requests per day over the last 30 days for ${tokenName(token)}: ${total.toLocaleString("en-US")} in all, by outcome: ` +
    OUTCOMES.map(([key, label]) => `${label.toLowerCase()} ${[...perApp.values()].reduce((n, a) => n + a[key], 0).toLocaleString("en-US")}`).join(", ") +
    `; the busiest day had ${max.toLocaleString("en-US")}.`);
  svg.dataset.testid = "usage-chart";
  const yAxis = svgEl("g", { class: "axis", "data-testid": "usage-axis-requests" });
  for (const value of [...new Set([0, Math.round(max / 2), max])]) {
    const y = plotHeight - value / max * (plotHeight - 4);
    yAxis.append(svgEl("line", { x1: left, x2: left + plotWidth, y1: y, y2: y, class: "grid" }));
    yAxis.append(svgEl("text", { x: left - 4, y: y + 3, "text-anchor": "end" }, value.toLocaleString("en-US")));
  }
  svg.append(yAxis);
  const xAxis = svgEl("g", { class: "axis", "data-testid": "usage-axis-days" });
  const dayLabel = (d) => new Date(d + "T00:00:00Z").toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
  for (const [i, anchor] of [[0, "start"], [15, "middle"], [29, "end"]]) {
    const x = left + (anchor === "start" ? i * bar : anchor === "end" ? (i + 1) * bar : (i + 0.5) * bar);
    xAxis.append(svgEl("text", { x, y: height - 3, "text-anchor": anchor }, dayLabel(days[i])));
  }
  svg.append(xAxis);
  days.forEach((d, i) => {
    let y = plotHeight;
    for (const [key] of OUTCOMES) {
      const h = perDay.get(d)[key] / max * (plotHeight - 4);
      if (h <= 0) continue;
      y -= h;
      svg.append(svgEl("rect", { x: left + i * bar + 1, y, width: bar - 2, height: h, class: "u-" + key }));
    }
  });
  const legend = el("ul", { class: "usage-legend", "aria-hidden": "true" }, ...OUTCOMES.map(([key, label]) => el("li", {}, el("span", { class: "swatch u-" + key }), label)));
  const rows = [...perApp.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([app, c]) => {
    const knocking = c.pending + c.denied > 0;
    return el("tr", { class: knocking ? "knocking" : "", "data-testid": "usage-row" },
      el("th", { scope: "row" }, app, knocking ? el("small", { class: "knocking-note", text: c.pending > 0 ? "keeps knocking while pending" : "keeps knocking while denied" }) : null),
      ...OUTCOMES.map(([key]) => el("td", { text: c[key].toLocaleString("en-US") })));
  });
  const table = el("table", { class: "usage-table", "data-testid": "usage-table" },
    el("caption", { text: `Requests per app over the last 30 days (${total.toLocaleString("en-US")} in all)` }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "App" }), ...OUTCOMES.map(([, label]) => el("th", { scope: "col", text: label })))),
    el("tbody", {}, rows));
  return [svg, legend, el("div", { class: "table-scroll" }, table)];
}

// Each app row in the card's list: its 30-day total beside its last use.
function markApps(card, usage) {
  if (!card) return;
  for (const row of card.querySelectorAll("tr[data-app]")) {
    const mine = usage.filter((u) => u.app === row.dataset.app);
    const n = mine.reduce((s, u) => s + u.allowed + u.pending + u.denied + u.limited, 0);
    const cell = row.querySelector("[data-testid=app-last-used]");
    if (cell && !cell.querySelector(".app-total")) cell.append(el("span", { class: "app-total", "data-testid": "app-total", text: ` · ${n.toLocaleString("en-US")} requests in 30 days` }));
  }
}

// R24: the token's audit trail, read when opened (newest first, the latest 50).
const ACTION_LABEL = {
  "token.created": "created the token",
  "token.updated": "changed the token",
  "app.decided": "decided an app",
  "app.first_seen": "used the token for the first time",
  "token.retired": "retired the token",
  "token.retired_by_member_removal": "retired the token by removing its owner",
  "token.promoted": "promoted the token to an account token",
  "token.rotated": "rotated the secret",
  "token.capped_by_role_change": "changed the owner's role, capping the token",
  "token.previous_secret_used": "used the previous secret during its grace period",
  "token.imported": "imported the token",
  "request.network_refused": "was blocked: outside the allowed networks",
  "request.rate_limited": "was refused: over the rate limit",
};

function renderHistory(token) {
  const list = el("ol", { class: "history", "data-testid": "history-list" });
  const details = el("details", { class: "history-box", "data-testid": "history" },
    el("summary", { text: "History", "aria-label": `History of ${tokenName(token)}` }), list);
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    list.replaceChildren(el("li", { class: "muted", text: "Loading…" }));
    try {
      const events = await api("GET", `/api/tokens/${encodeURIComponent(token.id)}/events?limit=50`);
      list.replaceChildren(...events.map((e) => el("li", { "data-action": e.action },
        el("span", { class: "muted", text: fmt(e.at) + " " }),
        el("strong", { text: e.actor }),
        e.action === "request.network_refused" && e.details.address ? ` was blocked from ${e.details.address.new} (outside the allowed networks)` : ` ${ACTION_LABEL[e.action] || e.action}`,
        Object.keys(e.details).length ? el("span", { class: "muted", text: " — " + Object.entries(e.details)
          .map(([field, v]) => v.old === null ? `${field}: ${v.new}` : v.new === null ? `${field}: ${v.old} → none` : `${field}: ${v.old} → ${v.new}`).join(", ") }) : null)));
      if (events.length === 0) list.replaceChildren(el("li", { class: "muted", text: "No changes recorded." }));
    } catch (error) {
      list.replaceChildren(el("li", { class: "alert", text: error.message }));
    }
  });
  return details;
}

function tokenName(token) {
  return `token “${token.description || token.secretHint}”`;
}

function decide(token, name, state) {
  return run(() => api("PUT", `/api/tokens/${encodeURIComponent(token.id)}/apps/${encodeURIComponent(name)}`, { state }, token.version),
    (state === "allow" ? "Allowed" : "Denied") + ` “${name}”.`);
}

function renderApps(token, manageable) {
  const section = el("div", { class: "apps" }, el("h3", { text: "Applications" }));
  if (token.apps.length === 0) {
    section.append(el("p", { class: "empty", text: "No application has used this token yet." }));
  } else {
    const rows = token.apps.map((app) => el("tr", { "data-app": app.name, "data-testid": "app-row" },
      el("td", { class: "app-name", text: app.name }),
      el("td", {}, el("span", { class: "badge " + app.state, text: STATE_LABEL[app.state], "data-testid": "app-state" })),
      el("td", { class: "muted", text: "first seen " + fmt(app.firstSeenAt) }),
      el("td", { class: "muted", "data-testid": "app-last-used", text: app.lastUsedAt ? "last used " + fmt(app.lastUsedAt) : "not used yet" }),
      el("td", { class: "actions-cell" },
        manageable && app.state !== "allow" ? el("button", { type: "button", class: "ok", "data-action": "allow-app", text: "Allow", "aria-label": `Allow ${app.name} for ${tokenName(token)}`, onclick: () => decide(token, app.name, "allow") }) : null,
        manageable && app.state !== "deny" ? el("button", { type: "button", class: "danger", "data-action": "deny-app", text: "Deny", "aria-label": `Deny ${app.name} for ${tokenName(token)}`, onclick: () => decide(token, app.name, "deny") }) : null)));
    section.append(el("table", {}, el("tbody", {}, rows)));
  }
  if (manageable) {
    const input = el("input", { placeholder: "App name to allow or deny before it is seen", maxlength: "256", "aria-label": `App name to decide for ${tokenName(token)}` });
    section.append(el("div", { class: "decide" }, input,
      el("button", { type: "button", class: "ok", text: "Pre-approve", "aria-label": `Pre-approve the app for ${tokenName(token)}`, onclick: () => input.value && decide(token, input.value, "allow") }),
      el("button", { type: "button", class: "danger", text: "Pre-deny", "aria-label": `Pre-deny the app for ${tokenName(token)}`, onclick: () => input.value && decide(token, input.value, "deny") })));
  }
  return section;
}

// ---- create --------------------------------------------------------------------------------

function openCreate(type) {
  closeMenu(false);
  if (!$("secret-panel").hidden &&
      !confirm(`The secret of ${$("secret-token").textContent} is still shown. Creating another token hides it for good — have you saved it?`)) {
    $("secret-panel").querySelector("h2").focus();
    return;
  }
  $("create-type").value = type;
  $("create-title").textContent = type === "account" ? "New account token" : "New user token";
  $("create-privilege").replaceChildren(...privilegeOptions("readOnly"));
  $("create-default-state").value = "allow";
  $("create-description").value = "";
  $("create-self-rotate").checked = false;
  fillLifetimes();
  fillScopes();
  $("create-dialog").showModal();
}

// R42: the service's declared scopes, grouped by resource, each with its description; none ticked
// means an unscoped token (every endpoint its privilege allows).
function fillScopes() {
  const declared = settings.scopes || [];
  $("create-scopes").hidden = declared.length === 0;
  const groups = new Map();
  for (const scope of declared) {
    const resource = scope.name.split(":")[0];
    if (!groups.has(resource)) groups.set(resource, []);
    groups.get(resource).push(scope);
  }
  $("create-scope-groups").replaceChildren(...[...groups].map(([resource, scopes]) =>
    el("div", { class: "scope-group", role: "group", "aria-label": resource },
      el("p", { class: "scope-resource", text: resource }),
      scopes.map((scope) => el("label", { class: "inline scope" },
        el("input", { type: "checkbox", value: scope.name, "data-scope": scope.name }),
        el("span", {}, el("code", { text: scope.name }), " — " + scope.description))))));
}

// R21: 7, 30 or 90 days, a date, or never — only what the service's MaxLifetime allows.
function fillLifetimes() {
  const max = settings.maxLifetimeDays;
  // 7, 30 and 90 days, plus the configured default and maximum when they are other whole days.
  const days = new Set([7, 30, 90].filter((d) => !max || d <= max));
  for (const d of [settings.defaultLifetimeDays, max]) if (d && Number.isInteger(d)) days.add(d);
  const options = [...days].sort((a, b) => a - b).map((d) => el("option", { value: String(d),
    text: `in ${d} day${d === 1 ? "" : "s"}` + (d === settings.defaultLifetimeDays ? " (default)" : d === max ? " (the maximum)" : "") }));
  options.push(el("option", { value: "date", text: "on a date…" }));
  if (!max) options.push(el("option", { value: "never", text: "never" }));
  $("create-lifetime").replaceChildren(...options);
  const preferred = String(settings.defaultLifetimeDays ?? 30);
  $("create-lifetime").value = [...$("create-lifetime").options].some((o) => o.value === preferred) ? preferred : $("create-lifetime").options[0].value;
  const date = $("create-expires-date");
  const tomorrow = new Date(Date.now() + 86400000);
  date.min = tomorrow.toISOString().slice(0, 10);
  date.max = max ? new Date(Date.now() + max * 86400000).toISOString().slice(0, 10) : "";
  date.value = "";
  showDate();
}

function showDate() {
  const picking = $("create-lifetime").value === "date";
  $("create-expires-date").hidden = !picking;
  $("create-expires-date-label").hidden = !picking;
  $("create-expires-date").required = picking;
}

async function submitCreate(event) {
  event.preventDefault();
  const body = {
    type: $("create-type").value,
    privilege: $("create-privilege").value,
    defaultAppState: $("create-default-state").value,
  };
  const description = $("create-description").value.trim();
  if (description) body.description = description;
  const scopes = [...document.querySelectorAll("#create-scope-groups input:checked")].map((c) => c.value);
  if (scopes.length > 0) body.scopes = scopes;
  if ($("create-self-rotate").checked) body.selfRotate = true;
  const lifetime = $("create-lifetime").value;
  if (lifetime === "date") {
    // The end of the chosen day, in the browser's time zone.
    body.expiresAt = new Date($("create-expires-date").value + "T23:59:59").toISOString();
  } else if (lifetime !== "never") {
    body.lifetimeDays = Number(lifetime);
  }
  $("create-dialog").close();
  await run(async () => {
    const token = await api("POST", "/api/tokens", body);
    showSecret(token);
  });
}

// R23: a new secret for the same token; the old one keeps working for the chosen grace period.
function openRotate(token) {
  if (!$("secret-panel").hidden &&
      !confirm(`The secret of ${$("secret-token").textContent} is still shown. Rotating hides it for good — have you saved it?`)) {
    return;
  }
  rotating = token;
  $("rotate-title").textContent = `Rotate ${tokenName(token)}`;
  const max = settings.maxRotationGracePeriodSeconds;
  const choices = [[0, "stops at once"], [3600, "for 1 hour"], [86400, "for 1 day"], [604800, "for 7 days"]]
    .filter(([seconds]) => seconds <= max);
  if (!choices.some(([seconds]) => seconds === settings.rotationGracePeriodSeconds)) {
    choices.push([settings.rotationGracePeriodSeconds, `for ${settings.rotationGracePeriodSeconds} seconds`]);
  }
  $("rotate-grace").replaceChildren(...choices.sort((a, b) => a[0] - b[0])
    .map(([seconds, text]) => el("option", { value: String(seconds), text, selected: seconds === settings.rotationGracePeriodSeconds })));
  $("rotate-dialog").showModal();
}

async function submitRotate(event) {
  event.preventDefault();
  const token = rotating;
  const gracePeriodSeconds = Number($("rotate-grace").value);
  $("rotate-dialog").close();
  await run(async () => {
    const rotated = await api("POST", `/api/tokens/${encodeURIComponent(token.id)}/rotate`, { gracePeriodSeconds }, token.version);
    showSecret(rotated, true);
  });
}

function showSecret(token, rotated = false) {
  $("secret-title").textContent = rotated ? "Copy the new secret now" : "Copy your new token now";
  const note = $("secret-rotated");
  note.hidden = !rotated;
  note.textContent = !rotated ? ""
    : token.previousSecretExpiresAt ? `The previous secret keeps working until ${fmt(token.previousSecretExpiresAt)}; move its clients to this one before then.`
    : "The previous secret has stopped working.";
  const path = token.type === "user" ? "/v2/user/current" : "/v2/account/current";
  $("secret-token").textContent = `${tokenName(token)} (${token.id})`;
  $("secret-value").textContent = token.secret;
  $("curl-line").textContent =
    `curl -H "X-Circonus-Auth-Token: ${token.secret}" -H "X-Circonus-App-Name: my-script" -H "Accept: application/json" ${location.origin}${path}`;
  const warn = $("try-warning");
  warn.hidden = token.defaultAppState === "allow";
  warn.textContent = token.defaultAppState === "pending"
    ? "This token's default app state is Pending: the first request records “my-script” and is refused until you allow it on its card."
    : "This token's default app state is Deny: “my-script” will be refused unless you pre-approve it on its card.";
  $("secret-panel").hidden = false;
  $("secret-panel").scrollIntoView({ block: "nearest" });
  $("secret-panel").querySelector("h2").focus();
}

// The "New token" menu button (WAI-ARIA menu button): Enter/Space/ArrowDown open it on the first
// item, ArrowUp on the last; arrows move, Home/End jump, Escape or Tab close it.
function menuItems() {
  return [...$("new-token-menu").querySelectorAll("[role=menuitem]")].filter((item) => !item.hidden);
}

function openMenu(focusLast) {
  $("new-token-menu").hidden = false;
  $("new-token").setAttribute("aria-expanded", "true");
  const items = menuItems();
  (focusLast ? items[items.length - 1] : items[0])?.focus();
}

function closeMenu(returnFocus) {
  $("new-token-menu").hidden = true;
  $("new-token").setAttribute("aria-expanded", "false");
  if (returnFocus) $("new-token").focus();
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea", {}, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
}

// ---- members -------------------------------------------------------------------------------

async function refreshMembers() {
  const section = $("members");
  if (!me.role) { section.hidden = true; return; }
  section.hidden = me.role !== "admin";
  if (section.hidden) return;
  const members = await api("GET", "/api/members");
  $("member-rows").replaceChildren(...members.map((m) => el("tr", { "data-member": m.userId },
    el("td", { text: m.userId }),
    el("td", {}, el("select", { "aria-label": "Role of " + m.userId,
      onchange: (e) => run(() => api("PUT", `/api/members/${encodeURIComponent(m.userId)}`, { role: e.target.value }), `${m.userId} is now ${ROLE_LABEL[e.target.value]}.`).then(() => start()) },
      ["admin", "normal", "readOnly"].map((r) => el("option", { value: r, text: ROLE_LABEL[r], selected: r === m.role })))),
    el("td", {}, el("button", { type: "button", class: "danger", text: "Remove", "aria-label": `Remove ${m.userId}`, onclick: () => {
      if (confirm(`Remove ${m.userId} from the account? Their user tokens are retired.`)) {
        run(() => api("DELETE", `/api/members/${encodeURIComponent(m.userId)}`), `${m.userId} removed.`).then(() => start());
      }
    } })))));
}

// ---- webhooks (R37) ------------------------------------------------------------------------

const EVENT_TYPES = ["token.created", "token.updated", "token.app_waiting", "token.app_decided", "token.retired", "token.promoted",
  "token.rotated", "token.expiring", "token.expired", "token.unused", "token.previous_secret_reused"];
const DELIVERY_LABEL = { pending: "Pending", delivered: "Delivered", failed: "Failed" };
let shownWebhooks = "";

async function refreshWebhooks(force = false) {
  const section = $("webhooks");
  section.hidden = me.role !== "admin";
  if (section.hidden) return;
  let hooks;
  try {
    hooks = await api("GET", "/api/webhooks");
    for (const hook of hooks) hook.deliveries = await api("GET", `/api/webhooks/${encodeURIComponent(hook.id)}/deliveries?limit=5`);
  } catch (error) {
    if (error.status === 501) { section.hidden = true; return; }
    throw error;
  }
  const json = JSON.stringify(hooks);
  if (!force && json === shownWebhooks) return;
  shownWebhooks = json;
  const list = $("webhook-list");
  // Re-rendered in place: a button that had the focus has it again (keyboard users stay where they were).
  const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
  list.replaceChildren(...hooks.map(renderWebhook));
  if (focused) [...list.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === focused)?.focus();
  if (hooks.length === 0) list.append(el("li", { class: "muted", text: "No endpoints yet." }));
}

function renderWebhook(hook) {
  const status = !hook.enabled ? el("span", { class: "badge retired", "data-testid": "webhook-disabled", text: "Disabled" })
    : hook.failingSince ? el("span", { class: "badge pending", text: "Failing since " + fmt(hook.failingSince) })
    : el("span", { class: "badge allow", text: "Enabled" });
  const deliveries = hook.deliveries.length === 0 ? el("p", { class: "muted", text: "No deliveries yet." })
    : el("table", { class: "deliveries" },
      el("caption", { text: "Last deliveries to " + hook.url }),
      el("thead", {}, el("tr", {}, ["Event", "Status", "Attempts", "Answer", "Created"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, hook.deliveries.map((d) => el("tr", { "data-delivery": d.id },
        el("td", { "data-label": "Event", text: d.type }),
        el("td", { "data-label": "Status" }, el("span", { class: "badge " + (d.status === "delivered" ? "allow" : d.status === "failed" ? "deny" : "pending"), text: DELIVERY_LABEL[d.status] })),
        el("td", { "data-label": "Attempts", text: String(d.attempts) }),
        el("td", { "data-label": "Answer", text: d.lastStatusCode === null ? (d.attempts > 0 ? "no answer" : "—") : String(d.lastStatusCode) }),
        el("td", { "data-label": "Created", text: fmt(d.createdAt) })))));
  const url = hook.url;
  return el("li", { class: "card webhook", "data-webhook": hook.id },
    el("h3", { class: "webhook-url", text: url }),
    el("p", {}, status, " ",
      el("span", { class: "muted", text: (hook.events ? hook.events.join(", ") : "All events") + (hook.description ? " · " + hook.description : "") })),
    hook.disabledReason ? el("p", { class: "warning", text: hook.disabledReason }) : null,
    deliveries,
    el("div", { class: "actions" },
      el("button", { type: "button", text: "Send test", "aria-label": `Send test to ${url}`,
        onclick: () => run(() => api("POST", `/api/webhooks/${encodeURIComponent(hook.id)}/test`), `A test event is on its way to ${url}.`) }),
      el("button", { type: "button", text: hook.enabled ? "Disable" : "Enable", "aria-label": `${hook.enabled ? "Disable" : "Enable"} ${url}`,
        onclick: () => run(() => api("PATCH", `/api/webhooks/${encodeURIComponent(hook.id)}`, { enabled: !hook.enabled }), `${url} is ${hook.enabled ? "disabled" : "enabled"}.`) }),
      el("button", { type: "button", text: "Rotate secret", "aria-label": `Rotate secret of ${url}`,
        onclick: () => run(async () => showWebhookSecret(await api("POST", `/api/webhooks/${encodeURIComponent(hook.id)}/rotate-secret`)),
          `New secret for ${url}: the old one keeps signing for 24 hours.`) }),
      el("button", { type: "button", class: "danger", text: "Delete", "aria-label": `Delete ${url}`,
        onclick: () => { if (confirm(`Delete the endpoint ${url}? Its pending deliveries are dropped.`)) run(() => api("DELETE", `/api/webhooks/${encodeURIComponent(hook.id)}`), `${url} deleted.`); } })));
}

function showWebhookSecret(hook) {
  $("webhook-secret-url").textContent = hook.url;
  $("webhook-secret-value").textContent = hook.secret;
  $("webhook-secret").hidden = false;
  $("webhook-secret-title").focus();
}

async function submitWebhook(event) {
  event.preventDefault();
  const events = $("webhook-all").checked ? undefined
    : [...document.querySelectorAll("#webhook-events input:checked")].map((c) => c.value);
  await run(async () => {
    const hook = await api("POST", "/api/webhooks", { url: $("webhook-url").value.trim(), description: $("webhook-description").value.trim() || undefined, events });
    $("webhook-form").reset();
    showEventChoices();
    showWebhookSecret(hook);
  }, "Endpoint registered.");
}

function showEventChoices() {
  const box = $("webhook-events");
  if (box.childElementCount === 0) {
    box.append(...EVENT_TYPES.map((type) => el("label", { class: "inline" }, el("input", { type: "checkbox", value: type }), " " + type)));
  }
  box.hidden = $("webhook-all").checked;
}

// ---- wiring --------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("username").value.trim()); });
  $("logout").addEventListener("click", async () => { await api("POST", "/logout"); me = null; $("secret-panel").hidden = true; start(); });
  $("refresh").addEventListener("click", () => start());   // re-reads who you are, then the tokens
  $("token-filter").addEventListener("input", applyFilter);
  $("new-token").addEventListener("click", () => {
    if ($("new-token-menu").hidden) openMenu(false); else closeMenu(true);
  });
  $("new-token").addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); openMenu(e.key === "ArrowUp"); }
  });
  $("new-token-menu").addEventListener("keydown", (e) => {
    const items = menuItems();
    const at = items.indexOf(document.activeElement);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      items[(moves[e.key] + items.length) % items.length].focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      closeMenu(true);
    } else if (e.key === "Tab") {
      closeMenu(false);
    }
  });
  document.addEventListener("click", (e) => {
    if (!e.target.closest(".menu")) closeMenu(false);
  });
  for (const item of document.querySelectorAll("#new-token-menu [data-type]")) {
    item.addEventListener("click", () => openCreate(item.dataset.type));
  }
  $("create-form").addEventListener("submit", submitCreate);
  $("create-lifetime").addEventListener("change", showDate);
  $("rotate-form").addEventListener("submit", submitRotate);
  $("rotate-cancel").addEventListener("click", () => $("rotate-dialog").close());
  $("create-cancel").addEventListener("click", () => $("create-dialog").close());
  $("create-dialog").addEventListener("close", () => { if ($("secret-panel").hidden) $("new-token").focus(); });
  $("copy-secret").addEventListener("click", (e) => copy($("secret-value").textContent, e.target));
  $("copy-curl").addEventListener("click", (e) => copy($("curl-line").textContent, e.target));
  $("webhook-form").addEventListener("submit", submitWebhook);
  $("webhook-all").addEventListener("change", showEventChoices);
  showEventChoices();
  $("copy-webhook-secret").addEventListener("click", (e) => copy($("webhook-secret-value").textContent, e.target));
  $("dismiss-webhook-secret").addEventListener("click", () => {
    $("webhook-secret").hidden = true;
    $("webhook-secret-value").textContent = "";
    $("webhook-url").focus();
  });
  $("dismiss-secret").addEventListener("click", () => {
    $("secret-panel").hidden = true;
    $("secret-value").textContent = "";
    $("curl-line").textContent = "";
    $("new-token").focus();
  });
  start();
});
