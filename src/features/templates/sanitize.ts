import sanitizeHtml from "sanitize-html";

/**
 * Server-side cleaning of template HTML. Whatever the editor or a paste sends, what is stored is
 * email-safe: a short list of tags, inline styles only (Quill's classes are turned into them), and
 * no scripts, event handlers, javascript: URLs, forms or embedded documents.
 */
const COLOR = [/^#[0-9a-f]{3,8}$/i, /^rgba?\(\s*[\d.]+%?\s*,\s*[\d.]+%?\s*,\s*[\d.]+%?\s*(,\s*[\d.]+\s*)?\)$/i, /^[a-z]{3,20}$/i];
const LENGTH = /^-?\d+(\.\d+)?(px|em|rem|%|pt)?$/;
const BOX = /^(-?\d+(\.\d+)?(px|em|rem|%|pt)?\s*){1,4}$/;

const STYLES: Record<string, RegExp[]> = {
  color: COLOR,
  "background-color": COLOR,
  "text-align": [/^(left|right|center|justify)$/],
  "font-size": [LENGTH, /^(small|medium|large|x-large|xx-large)$/],
  "font-weight": [/^(normal|bold|[1-9]00)$/],
  "font-style": [/^(normal|italic)$/],
  "font-family": [/^[\w\s,'"-]{1,100}$/],
  "text-decoration": [/^(none|underline|line-through)$/],
  "line-height": [LENGTH],
  padding: [BOX],
  "padding-left": [LENGTH],
  margin: [BOX],
  border: [/^\d+px\s+(solid|dashed|dotted)\s+(#[0-9a-f]{3,8}|[a-z]+)$/i],
  "border-radius": [LENGTH],
  display: [/^(block|inline-block|inline)$/],
  width: [LENGTH, /^auto$/],
  "max-width": [LENGTH],
  height: [LENGTH, /^auto$/],
  direction: [/^(ltr|rtl)$/],
};

export const BUTTON_STYLE =
  "display:inline-block;padding:12px 20px;border-radius:6px;background-color:#0369a1;color:#ffffff;font-weight:bold;text-decoration:none;";

const QUILL_SIZES: Record<string, string> = { "ql-size-small": "12px", "ql-size-large": "20px", "ql-size-huge": "28px" };

/** Turns Quill's class-based formats into the inline styles mail clients understand. */
function inlineClasses(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const classes = (attribs.class ?? "").split(/\s+/).filter(Boolean);
  const styles: string[] = attribs.style ? [attribs.style.replace(/;?\s*$/, "")] : [];
  for (const c of classes) {
    const align = /^ql-align-(center|right|justify)$/.exec(c);
    if (align) styles.push(`text-align:${align[1]}`);
    const indent = /^ql-indent-(\d)$/.exec(c);
    if (indent) styles.push(`padding-left:${Number(indent[1]) * 3}em`);
    if (QUILL_SIZES[c]) styles.push(`font-size:${QUILL_SIZES[c]}`);
    if (c === "ql-direction-rtl") styles.push("direction:rtl");
    if (c === "sesame-button" && tagName === "a" && !styles.some((s) => s.includes(BUTTON_STYLE.replace(/;$/, "")))) styles.push(BUTTON_STYLE.replace(/;$/, ""));
  }
  const { class: _class, style: _style, ...rest } = attribs;
  // A button keeps its class (besides its inline look), so the editor knows it as a button next time.
  const out: sanitizeHtml.Attributes = { ...rest };
  if (tagName === "a" && classes.includes("sesame-button")) out.class = "sesame-button";
  if (styles.length) out.style = styles.join(";");
  return { tagName, attribs: out };
}

export function sanitizeTemplateHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ["p", "br", "h1", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "a", "img", "ul", "ol", "li", "blockquote", "span", "div", "hr", "pre", "code", "sub", "sup"],
    allowedAttributes: {
      a: ["href", "title", "target", "style", "rel"],
      img: ["src", "alt", "width", "height", "style"],
      "*": ["style", "dir"],
    },
    allowedClasses: { a: ["sesame-button"] },
    allowedSchemes: ["http", "https", "mailto", "tel"],
    allowedSchemesByTag: { img: ["http", "https"] },
    allowProtocolRelative: false,
    allowedStyles: { "*": STYLES },
    transformTags: { "*": inlineClasses },
    // Whatever the tag, the content of these never belongs in a mail.
    nonTextTags: ["script", "style", "textarea", "option", "noscript", "title", "iframe", "object", "embed", "svg", "math", "template"],
    disallowedTagsMode: "discard",
  });
}

/** Links and images must be absolute http(s) (or mailto:/tel:), or a {{variable}} such as {{unsubscribe_url}}. */
export function relativeLinks(html: string): string[] {
  const bad: string[] = [];
  for (const m of html.matchAll(/<(a|img)\b[^>]*?\s(href|src)="([^"]*)"/gi)) {
    const url = m[3]!.replace(/&amp;/g, "&").trim();
    const ok = m[1]!.toLowerCase() === "img" ? /^https?:\/\/[^\s/]+/i.test(url) || /^\{\{/.test(url) : /^(https?:\/\/[^\s/]+|mailto:|tel:|\{\{)/i.test(url);
    if (!ok) bad.push(url || "(empty)");
  }
  return bad;
}
