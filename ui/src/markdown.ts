import DOMPurify from "dompurify";
import { Marked } from "marked";

/** Tags that never come out of a model's markdown, even where DOMPurify would allow them. */
const FORBID_TAGS = ["style", "img", "form", "input", "button", "textarea", "select", "iframe", "svg", "math"];

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** Markdown with raw HTML turned into text: `<b>` in a reply shows as `<b>`, never as markup. */
const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

let hooked = false;

/** Links open in a new tab without the opener or a referrer; only http(s) and mailto links stay links. */
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName !== "A") return;
    const href = node.getAttribute("href") ?? "";
    if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute("href");
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  });
}

/**
 * Model output to safe HTML: markdown (GFM) parsed with raw HTML escaped, then sanitised by DOMPurify
 * (no script, no event handlers, no styles, no images or forms). The result is inert whatever the
 * model wrote.
 */
export function renderMarkdown(text: string): string {
  hookLinks();
  const html = marked.parse(text, { async: false });
  return DOMPurify.sanitize(html, { FORBID_TAGS, FORBID_ATTR: ["style", "class", "id"], ALLOW_DATA_ATTR: false });
}
