import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatItem } from "../chat-items.js";
import type { Controller } from "../controller.js";
import type { OutboxEntry } from "../outbox.js";
import { useStore } from "../store.js";
import { ApprovalCard } from "./approvals.js";
import { Markdown } from "./markdown.js";
import { SessionList } from "./sessions.js";

/** The chat: session list, the selected session's messages, its approvals, the run status and the composer. */
export function ChatView({ controller }: { controller: Controller }) {
  const s = useStore(controller.store);
  const list = useRef<HTMLOListElement>(null);
  const queued = s.outbox.filter((e) => e.sessionKey === s.route.session);
  const approvals = s.approvals.filter((a) => a.sessionKey === s.route.session);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [s.items, queued.length, approvals.length]);
  return (
    <div class="chat">
      <SessionList controller={controller} />
      <section class="conversation" aria-label={`Session ${s.route.session}`}>
        <h2 class="session-title" id="session-title">
          {s.route.session}
        </h2>
        <ol id="messages" ref={list} aria-live="polite" aria-busy={!s.historyLoaded}>
          {s.items.map((item) => (
            <Item key={item.id} item={item} />
          ))}
          {queued.map((e) => (
            <Queued key={e.idempotencyKey} entry={e} controller={controller} />
          ))}
          {approvals.map((a) => (
            <li key={a.id} class="approval-item">
              <ApprovalCard approval={a} controller={controller} />
            </li>
          ))}
        </ol>
        <p id="run-status" class="run-status" role="status" aria-live="polite">
          {s.run ? <span class="spinner" aria-hidden="true" /> : null}
          {s.run?.label ?? ""}
        </p>
        <Composer controller={controller} running={!!s.run} connected={s.conn === "connected"} />
      </section>
    </div>
  );
}

function Item({ item }: { item: ChatItem }) {
  switch (item.kind) {
    case "user":
      return (
        <li class="msg user" data-state="sent">
          <div class="bubble">{item.text}</div>
        </li>
      );
    case "assistant":
      return (
        <li class="msg assistant" data-final={item.final ? "true" : "false"} data-run={item.runId}>
          <Markdown text={item.text} />
          {item.incomplete ? <p class="incomplete">(incomplete: {item.incomplete})</p> : null}
        </li>
      );
    case "tool":
      return (
        <li class="msg tool" data-tool={item.name} data-done={item.done ? "true" : "false"}>
          <details>
            <summary>
              <span class="tool-name">{item.name}</span>{" "}
              <span class="tool-state">
                {item.done ? (item.isError ? "failed" : "done") : "running…"}
                {item.decision ? ` · ${item.decision}` : ""}
              </span>
            </summary>
            <h3>Arguments</h3>
            <pre class="tool-args">{JSON.stringify(item.args ?? {}, null, 2)}</pre>
            {item.result !== undefined ? (
              <>
                <h3>Result</h3>
                <pre class="tool-result">{item.result}</pre>
              </>
            ) : null}
          </details>
        </li>
      );
    case "error":
      return (
        <li class="msg error" role="alert">
          {item.text}
        </li>
      );
  }
}

function Queued({ entry, controller }: { entry: OutboxEntry; controller: Controller }) {
  return (
    <li class="msg user" data-state={entry.state} data-key={entry.idempotencyKey}>
      <div class="bubble">{entry.text}</div>
      <p class="delivery">
        {entry.state === "failed" ? (
          <>
            <span class="error">not sent: {entry.error}</span>{" "}
            <button type="button" class="retry" onClick={() => controller.retry(entry.idempotencyKey)}>
              Retry
            </button>{" "}
            <button type="button" class="quiet" onClick={() => controller.discard(entry.idempotencyKey)}>
              Discard
            </button>
          </>
        ) : entry.state === "sending" ? (
          "sending…"
        ) : (
          "pending: will be sent when connected"
        )}
      </p>
    </li>
  );
}

function Composer({
  controller,
  running,
  connected,
}: {
  controller: Controller;
  running: boolean;
  connected: boolean;
}) {
  const [text, setText] = useState("");
  const submit = () => {
    const t = text.trim();
    if (!t) return;
    controller.send(t);
    setText("");
  };
  return (
    <form
      id="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label for="input" class="visually-hidden">
        Message
      </label>
      <textarea
        id="input"
        rows={2}
        placeholder={
          connected
            ? "Message (Enter sends, Shift+Enter for a new line)"
            : "Offline: messages wait and are sent on reconnect"
        }
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button id="send" type="submit">
        Send
      </button>
      <button
        id="abort"
        type="button"
        disabled={!running || !connected}
        onClick={() => void controller.abort().catch((err: Error) => controller.store.update({ notice: err.message }))}
      >
        Stop
      </button>
    </form>
  );
}
