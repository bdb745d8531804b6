import { useEffect, useMemo, useRef } from "preact/hooks";
import { renderMarkdown } from "../markdown.js";

/** Rendered model output (sanitised; see renderMarkdown) with a copy button on every code block. */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    for (const pre of ref.current?.querySelectorAll("pre") ?? []) {
      if (pre.parentElement?.classList.contains("code")) continue;
      const wrap = document.createElement("div");
      wrap.className = "code";
      pre.replaceWith(wrap);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy code");
      button.addEventListener("click", () => {
        void navigator.clipboard
          ?.writeText(pre.textContent ?? "")
          .then(() => (button.textContent = "Copied"))
          .catch(() => (button.textContent = "Copy failed"));
      });
      wrap.append(button, pre);
    }
  }, [html]);
  return <div class="md" ref={ref} dangerouslySetInnerHTML={{ __html: html }} />;
}
