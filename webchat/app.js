// holdfast WebChat. Talks only to the gateway that served this page (location.host): the gateway URL
// is never taken from a link or query parameter, and the token is never put in a URL.
const TOKEN_KEY = "holdfast.gatewayToken";
const $ = (id) => document.getElementById(id);
let ws = null;
let nextId = 1;
const pending = new Map();
const runs = new Map();

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

function addMessage(role, text) {
  const li = document.createElement("li");
  li.className = role;
  li.textContent = text;
  $("messages").append(li);
  li.scrollIntoView({ block: "end" });
  return li;
}

function request(method, params) {
  const id = String(nextId++);
  ws.send(JSON.stringify({ type: "req", id, method, params }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function sessionKey() {
  return $("session").value.trim() || "main";
}

function onEvent(name, payload) {
  if (name === "connect.challenge") {
    const token = sessionStorage.getItem(TOKEN_KEY) || "";
    request("connect", {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: "webchat", version: "1", platform: "web", mode: "webchat" },
      role: "operator",
      scopes: ["operator.read", "operator.write", "operator.approvals"],
      auth: { token },
    }).then(onConnected, (err) => {
      setStatus("error", err.message);
      $("login").hidden = false;
      $("chat").hidden = true;
    });
    return;
  }
  if (name === "exec.approval.requested") return showApproval(payload);
  if (name === "exec.approval.resolved") return settleApproval(payload);
  if (name === "agent" && payload.stream === "tool" && payload.data.phase === "start") {
    if (payload.sessionKey === currentKey) addMessage("tool", `→ ${payload.data.name}`);
    return;
  }
  if (name !== "chat" || payload.sessionKey !== currentKey) return;
  let li = runs.get(payload.runId);
  if (payload.state === "delta") {
    if (!li) {
      li = addMessage("assistant", "");
      runs.set(payload.runId, li);
    }
    li.textContent = payload.message.content[0].text;
  } else if (payload.state === "final") {
    if (!li) {
      li = addMessage("assistant", "");
      runs.set(payload.runId, li);
    }
    li.textContent = payload.message.content[0].text;
    li.dataset.final = "true";
    $("abort").disabled = true;
  } else if (payload.state === "error") {
    addMessage("error", payload.errorMessage).dataset.final = "true";
    $("abort").disabled = true;
  } else if (payload.state === "status" && payload.statusText) {
    // The model is being retried or replaced: show it, so a wait has a reason.
    addMessage("tool", payload.statusText);
  }
}

let currentKey = "agent:main:main";
const approvalCards = new Map();

// An exec waiting for approval: the command, where it runs, and buttons that answer it.
function showApproval(req) {
  const li = document.createElement("li");
  li.className = "approval";
  li.dataset.id = req.id;
  const text = document.createElement("p");
  text.textContent = `Approval needed (${req.id}) for ${req.host} exec in ${req.sessionKey}: ${req.command}  (${req.reason})`;
  li.append(text);
  const choices = [
    ["allow-once", "Approve once"],
    ...(req.persistable ? [["allow-always", "Always"]] : []),
    ["deny", "Deny"],
  ];
  for (const [decision, label] of choices) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.decision = decision;
    b.addEventListener("click", () =>
      request("exec.approval.resolve", { id: req.id, decision }).catch((e) => addMessage("error", e.message)),
    );
    li.append(b);
  }
  approvalCards.set(req.id, li);
  $("messages").append(li);
  li.scrollIntoView({ block: "end" });
}

function settleApproval(ev) {
  const li = approvalCards.get(ev.id);
  if (!li) return;
  approvalCards.delete(ev.id);
  for (const b of li.querySelectorAll("button")) b.remove();
  li.dataset.decision = ev.decision;
  li.append(document.createTextNode(` → ${ev.decision}`));
}

/** A message's text: a string, or the text parts of a content array (assistant messages). */
function textOf(content) {
  if (typeof content === "string") return content;
  return Array.isArray(content)
    ? content
        .filter((p) => p.type === "text")
        .map((p) => p.text)
        .join("")
    : "";
}

async function loadHistory() {
  const res = await request("chat.history", { sessionKey: sessionKey(), limit: 100 });
  currentKey = res.sessionKey;
  $("messages").replaceChildren();
  for (const m of res.messages) {
    const text = textOf(m.content);
    if (m.role === "user") addMessage("user", text);
    else if (m.role === "assistant" && m.stopReason === "interrupted" && !text)
      addMessage("error", "interrupted: the gateway stopped before this reply was complete").dataset.interrupted =
        m.runId;
    else if (m.role === "assistant" && text)
      addMessage("assistant", m.partial ? `${text} (incomplete: ${m.stopReason})` : text);
  }
}

// Runs the gateway never finished because it stopped (crash, kill): told once per connection.
let interruptedRuns = [];

function onConnected(hello) {
  setStatus("connected", "connected");
  $("login").hidden = true;
  $("chat").hidden = false;
  interruptedRuns = hello?.snapshot?.interruptedRuns ?? [];
  loadHistory()
    .then(() => {
      for (const r of interruptedRuns.filter((r) => r.sessionKey === currentKey))
        addMessage("error", `${r.errorMessage ?? "a reply was interrupted"} (${r.errorCode})`).dataset.notice = r.runId;
    })
    .catch((e) => addMessage("error", e.message));
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${scheme}://${location.host}/`);
  ws.onmessage = (e) => {
    const frame = JSON.parse(e.data);
    if (frame.type === "event") onEvent(frame.event, frame.payload);
    else if (frame.type === "res" && pending.has(frame.id)) {
      const p = pending.get(frame.id);
      pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.payload);
      else p.reject(new Error(frame.error.message));
    }
  };
  ws.onclose = () => {
    if ($("status").dataset.state === "connected") setStatus("disconnected", "disconnected");
  };
}

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
  $("token").value = "";
  connect();
});

$("forget").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  ws?.close();
  location.reload();
});

$("session").addEventListener("change", () => loadHistory().catch((e) => addMessage("error", e.message)));

$("composer").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("input").value.trim();
  if (!text) return;
  $("input").value = "";
  addMessage("user", text);
  $("abort").disabled = false;
  try {
    await request("chat.send", { sessionKey: sessionKey(), message: text, idempotencyKey: crypto.randomUUID() });
  } catch (err) {
    addMessage("error", err.message);
  }
});

$("abort").addEventListener("click", () => request("chat.abort", { sessionKey: sessionKey() }).catch(() => {}));

if (sessionStorage.getItem(TOKEN_KEY)) connect();
