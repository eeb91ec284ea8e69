import { describe, expect, test } from "bun:test";
import { renderMessage, templateVariables, textFromHtml } from "../../src/features/templates/render";

const base = { subject: "Hi", html: "<p>x</p>", text: null, values: {}, unsubscribeUrl: "https://mail.example.com/u/tok" };
const body = (html: string) => /<div style="[^"]*">([\s\S]*)<\/div><\/body>/.exec(html)![1]!;

describe("the renderer", () => {
  test("fills variables from values, case-insensitively, and lists the variables a template uses", () => {
    const out = renderMessage({ ...base, subject: "Hello {{Name}}", html: "<p>{{ company }} / {{email}}</p>{{unsubscribe_url}}", values: { name: "Ann", company: "Acme", email: "ann@example.com" } });
    expect(out.subject).toBe("Hello Ann");
    expect(body(out.html)).toBe("<p>Acme / ann@example.com</p>https://mail.example.com/u/tok");
    expect(out.missing).toEqual([]);
    expect(templateVariables("{{a}} {{B|x}}", "{{a}} {{ c }}")).toEqual(["a", "b", "c"]);
  });

  test("escapes values in HTML, and leaves them as they are in the subject and the text", () => {
    const out = renderMessage({ ...base, subject: "{{name}}", html: '<p title="{{name}}">{{name}}</p>', text: "Dear {{name}}", values: { name: `<script>"Tom" & 'Jerry'</script>` } });
    expect(body(out.html)).toStartWith(`<p title="&lt;script&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/script&gt;">&lt;script&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/script&gt;</p>`);
    expect(out.subject).toBe(`<script>"Tom" & 'Jerry'</script>`);
    expect(out.text).toStartWith(`Dear <script>"Tom" & 'Jerry'</script>`);
  });

  test("a fallback fills an absent or empty value; without one the variable is reported missing", () => {
    const out = renderMessage({ ...base, subject: "Hi {{name|there}}", html: "<p>{{company|your team}} {{city}}</p>", text: "{{plan}}", values: { company: "" } });
    expect(out.subject).toBe("Hi there");
    expect(body(out.html)).toStartWith("<p>your team </p>");
    expect(out.missing.sort()).toEqual(["city", "plan"]);
  });

  test("a fallback is escaped too, and may hold spaces and punctuation", () => {
    const out = renderMessage({ ...base, html: "<p>{{name|dear <friend>, you}}</p>" });
    expect(body(out.html)).toStartWith("<p>dear &lt;friend&gt;, you</p>");
  });

  test("stray and nested braces stay as typed around a variable", () => {
    const out = renderMessage({ ...base, html: "<p>{{{name}}} {{ }} {{1bad}} {name} }}</p>", values: { name: "Ann" } });
    expect(body(out.html)).toStartWith("<p>{Ann} {{ }} {{1bad}} {name} }}</p>");
  });

  test("unicode and right-to-left text pass through untouched", () => {
    const out = renderMessage({ ...base, subject: "{{name}} 👋", html: '<p dir="rtl">שלום {{name}}</p>', values: { name: "زهراء 🌷" } });
    expect(out.subject).toBe("زهراء 🌷 👋");
    expect(body(out.html)).toStartWith('<p dir="rtl">שלום زهراء 🌷</p>');
  });

  test("a subject never carries a line break (header injection)", () => {
    const out = renderMessage({ ...base, subject: "Hi {{name}}", values: { name: "x\r\nBcc: victim@example.com" } });
    expect(out.subject).toBe("Hi x Bcc: victim@example.com");
  });

  test("a template without {{unsubscribe_url}} gets a footer with the link, in HTML and text", () => {
    const out = renderMessage({ ...base, html: "<p>News</p>" });
    expect(out.html).toContain('<a href="https://mail.example.com/u/tok"');
    expect(out.html).toContain("Unsubscribe</a>");
    expect(out.text).toBe("News\n\n--\nUnsubscribe: https://mail.example.com/u/tok");
    const placed = renderMessage({ ...base, html: '<p><a href="{{unsubscribe_url}}">Leave</a></p>', text: "Leave: {{unsubscribe_url}}" });
    expect(placed.html.match(/\/u\/tok/g)).toHaveLength(1);
    expect(placed.text).toBe("Leave: https://mail.example.com/u/tok");
  });

  test("the text part is made from the HTML when left empty, links kept readable", () => {
    expect(textFromHtml('<h1>Title</h1><p>Read <a href="https://example.com/a">the post</a>.</p><ul><li>one</li><li>two</li></ul>')).toBe(
      "Title\n\nRead the post [https://example.com/a].\n\n * one\n * two",
    );
  });

  test("every message is wrapped in the same simple layout, without tables", () => {
    const out = renderMessage(base);
    expect(out.html).toStartWith("<!doctype html><html>");
    expect(out.html).toContain("max-width:600px");
    expect(out.html).not.toContain("<table");
  });
});

describe("the renderer against hostile values", () => {
  test("{{constructor}} and {{__proto__}} are just unknown variables", () => {
    const out = renderMessage({ ...base, subject: "{{constructor}}{{__proto__|x}}", html: "<p>{{toString}}</p>" });
    expect(out.subject).toBe("x");
    expect(out.missing.sort()).toEqual(["constructor", "tostring"]);
  });

  test("a value that fills a link cannot make it a javascript: or data: link", () => {
    const out = renderMessage({ ...base, html: '<p><a href="{{site}}">site</a><img src="{{logo}}"><a href="{{ok}}">ok</a></p>', values: { site: "javascript:alert(1)", logo: "data:image/png;base64,xx", ok: "https://example.com/?a=1&b=2" } });
    expect(body(out.html)).toStartWith('<p><a href="#">site</a><img src="#"><a href="https://example.com/?a=1&amp;b=2">ok</a></p>');
  });
});
