import { describe, expect, test } from "bun:test";
import { relativeLinks, sanitizeTemplateHtml } from "../../src/features/templates/sanitize";

/** Payloads from the usual XSS cheat sheets, as someone might paste them into a template. */
const HOSTILE = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
  '<img src="https://x.example/a.png" onerror="alert(1)">',
  '<img src=x onerror=alert(1)//',
  "<svg onload=alert(1)><circle r=10></svg>",
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href=" javascript:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<iframe src="https://evil.example"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/x.swf\">",
  '<style>body{background:url("javascript:alert(1)")}</style>',
  '<p style="background-image:url(javascript:alert(1))">x</p>',
  '<p style="width:expression(alert(1))">x</p>',
  '<p style="behavior:url(x.htc)">x</p>',
  '<form action="https://evil.example"><input name="password"><button formaction="javascript:alert(1)">go</button></form>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<base href="https://evil.example/">',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
  '<div onmouseover="alert(1)">hover</div>',
  '<p onclick = "alert(1)">click</p>',
  "<!--<script>alert(1)</script>-->",
  '<a href="https://ok.example" target="_blank" onfocus="alert(1)" autofocus>ok</a>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<body onload=alert(1)>',
  '<textarea><script>alert(1)</script></textarea>',
  "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
];

describe("the template sanitiser", () => {
  test("removes scripts, event handlers, dangerous URLs and embedded documents from hostile HTML", () => {
    const dangerous = /<script|<iframe|<object|<embed|<svg|<style|<form|<input|<meta|<base|<link|<math|<video|<details|<body|<textarea|\son\w+\s*=|javascript:|vbscript:|data:|expression\(|url\(|behavior|srcdoc|formaction|xlink/i;
    const survived = HOSTILE.map((payload) => ({ payload, out: sanitizeTemplateHtml(payload) })).filter(({ out }) => dangerous.test(out));
    expect(survived).toEqual([]);
    // The check itself catches what it should.
    expect(dangerous.test('<img src=x onerror="alert(1)">')).toBe(true);
  });

  test("keeps the formatting an email needs, as inline styles", () => {
    const html =
      '<h1>Title</h1><p class="ql-align-center"><strong>Bold</strong> <em>it</em> <u>u</u> <s>s</s></p><p class="ql-indent-2">deep</p>' +
      '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quote</blockquote><p><a href="https://example.com" target="_blank">link</a></p>' +
      '<p><img src="https://example.com/a.png" alt="A" width="200"></p><p style="color: #ff0000; text-align: right">red</p>';
    expect(sanitizeTemplateHtml(html)).toBe(
      '<h1>Title</h1><p style="text-align:center"><strong>Bold</strong> <em>it</em> <u>u</u> <s>s</s></p><p style="padding-left:6em">deep</p>' +
        '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quote</blockquote><p><a href="https://example.com" target="_blank">link</a></p>' +
        '<p><img src="https://example.com/a.png" alt="A" width="200" /></p><p style="color:#ff0000;text-align:right">red</p>',
    );
  });

  test("turns a button link into an inline-styled button, once, and keeps it a button for the editor", () => {
    const once = sanitizeTemplateHtml('<a class="sesame-button" href="https://example.com">Go</a>');
    expect(once).toContain('class="sesame-button"');
    expect(once).toContain("background-color:#0369a1");
    expect(sanitizeTemplateHtml(once)).toBe(once);
  });

  test("variables in links survive; relative links are reported", () => {
    const html = sanitizeTemplateHtml('<a href="{{unsubscribe_url}}">u</a><a href="https://x.example/?e={{email}}">e</a><a href="/relative">r</a><img src="logo.png"><a href="mailto:a@b.co">m</a>');
    expect(html).toContain('href="{{unsubscribe_url}}"');
    expect(relativeLinks(html)).toEqual(["/relative", "logo.png"]);
  });
});
