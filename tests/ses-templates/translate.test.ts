import { describe, expect, test } from "bun:test";
import { decodeHeader, readRenderedMessage } from "../../src/aws/templates";
import { checkSesName, checkSesSize, checkTemplateData, parseSesLink, sesLink, sesNameFor } from "../../src/features/ses-templates/model";
import { fromSes, htmlVariables, toSes } from "../../src/features/ses-templates/translate";
import { AppError } from "../../src/lib/errors";

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("publishing: Sesame's variables as SES's Handlebars", () => {
  test("a plain variable stays as it is, with its name as Sesame looks it up (lower case)", () => {
    expect(toSes({ subject: "Hi {{ Name }}", html: "<p>{{company}}</p>", text: null })).toEqual({ subject: "Hi {{name}}", html: "<p>{{company}}</p>", text: "" });
  });

  test("a fallback becomes #if/else; in the HTML the fallback text is escaped as Sesame escapes it", () => {
    const out = toSes({ subject: "For {{name|Tom & Jerry}}", html: "<p>{{name|Tom & Jerry}}</p>", text: "Hi {{name| there }}" });
    expect(out.subject).toBe("For {{#if name}}{{name}}{{else}}Tom & Jerry{{/if}}");
    expect(out.html).toBe("<p>{{#if name}}{{name}}{{else}}Tom &amp; Jerry{{/if}}</p>");
    expect(out.text).toBe("Hi {{#if name}}{{name}}{{else}}there{{/if}}");
  });

  test("an empty fallback becomes #if without else", () => {
    expect(toSes({ subject: "s", html: "<p>{{nick|}}</p>", text: null }).html).toBe("<p>{{#if nick}}{{nick}}{{/if}}</p>");
  });

  test("braces Sesame leaves as text are escaped so SES leaves them too, and a backslash before a variable is kept", () => {
    const out = toSes({ subject: "s", html: "<p>{{#each}} and {{a.b}}</p>", text: "path C:\\{{name}}" });
    expect(out.html).toBe("<p>\\{{#each}} and \\{{a.b}}</p>");
    expect(out.text).toBe("path C:\\\\{{name}}");
  });

  test("what SES would read differently is refused, naming it", () => {
    const touching = refusal(() => toSes({ subject: "s", html: "<p>{{{name}}}</p>", text: null }));
    expect(touching.message).toContain("a { or } right next to a variable");
    expect(touching.status).toBe(422);
    expect(refusal(() => toSes({ subject: "{{else}}", html: "<p>x</p>", text: null })).message).toContain("{{else}} (a word SES's templates reserve)");
    expect(refusal(() => toSes({ subject: "s", html: "<p>\\{{x</p>", text: null })).message).toContain("a backslash right before {{");
  });

  test("a variable named like a Handlebars helper or keyword is refused, naming it, since SES would run the helper instead of inserting the value", () => {
    for (const word of ["log", "lookup", "if", "unless", "each", "with", "else", "this", "blockHelperMissing"]) {
      const plain = refusal(() => toSes({ subject: "s", html: `<p>{{${word}}}</p>`, text: null }));
      expect(plain.code).toBe("ses_translation");
      expect(plain.message).toContain(`{{${word}}} (a word SES's templates reserve)`);
      expect(refusal(() => toSes({ subject: `Hi {{${word}|there}}`, html: "<p>x</p>", text: null })).message).toContain(`{{${word}}}`);
    }
    // Published in lower case, {{Log}} would be SES's {{log}}.
    expect(refusal(() => toSes({ subject: "s", html: "<p>x</p>", text: "{{Log}}" })).message).toContain("{{Log}} (a word SES's templates reserve)");
    expect(toSes({ subject: "s", html: "<p>{{logo}} {{iffy}} {{eachone}}</p>", text: null }).html).toBe("<p>{{logo}} {{iffy}} {{eachone}}</p>");
  });

  test("the HTML's variables are listed once each, in lower case, for the warning that SES inserts them unescaped", () => {
    expect(htmlVariables('<p>{{Name}} {{name|there}} <a href="?e={{ email }}">{{company|}}</a></p>')).toEqual(["name", "email", "company"]);
    expect(htmlVariables("<p>No variables, {{#each}} is text</p>")).toEqual([]);
  });
});

describe("importing: SES's Handlebars as Sesame's variables", () => {
  test("plain variables, the #if/else fallback pattern and #if without else come back as Sesame writes them", () => {
    const out = fromSes({
      subject: "Hi {{ name }}",
      html: "<p>{{#if name}}{{name}}{{else}}Tom &amp; Jerry{{/if}} {{#if nick}}{{ nick }}{{/if}}</p>",
      text: "{{#if name}}{{name}}{{ else }} there {{/if}}",
    });
    expect(out).toEqual({ subject: "Hi {{name}}", html: "<p>{{name|Tom & Jerry}} {{nick|}}</p>", text: "{{name|there}}" });
  });

  test("comments are dropped, escaped braces become text, and a triple-stash is a plain variable outside the HTML", () => {
    const out = fromSes({ subject: "{{{name}}}{{! a note }}", html: "<p>\\{{#each}} {{!-- a {{long}} note --}}x</p>", text: "" });
    expect(out).toEqual({ subject: "{{name}}", html: "<p>{{#each}} x</p>", text: null });
  });

  test("constructs Sesame cannot represent are refused, each named once", () => {
    const error = refusal(() =>
      fromSes({
        subject: "{{user.name}}",
        html: "<ul>{{#each items}}<li>{{this}}</li>{{/each}}</ul>{{> footer}}{{formatDate when}}{{{body.html}}}",
        text: "{{#if vip}}VIP{{/if}}",
      }),
    );
    expect(error.code).toBe("ses_template_unsupported");
    for (const construct of ["{{user.name}}", "{{#each items}}", "{{this}}", "{{> footer}}", "{{formatDate when}}"]) expect(error.message).toContain(construct);
    // {{{body.html}}} (a path) and {{#if vip}} (an #if that is not a fallback) are the two not shown.
    expect(error.message).toContain("and 2 more");
    expect(error.message).not.toContain("{{/each}}");
  });

  test("a triple-stash in the HTML is imported as a plain variable: SES inserts {{name}} unescaped too, so both render the same", () => {
    expect(fromSes({ subject: "s", html: "<p>{{{name}}} and {{ name }}, {{{ company }}}</p>", text: "" }).html).toBe("<p>{{name}} and {{name}}, {{company}}</p>");
  });

  test("Handlebars helpers and keywords are refused on import, however they are written", () => {
    for (const html of ["<p>{{log}}</p>", "<p>{{{lookup}}}</p>", "<p>{{#if each}}{{each}}{{else}}x{{/if}}</p>", "<p>{{Unless}}</p>"]) {
      expect(refusal(() => fromSes({ subject: "s", html, text: "" })).code).toBe("ses_template_unsupported");
    }
    expect(refusal(() => fromSes({ subject: "s", html: "<p>{{log}}</p>", text: "" })).message).toContain("{{log}}");
  });

  test("markup in a fallback and names differing only in capitals are refused", () => {
    expect(refusal(() => fromSes({ subject: "s", html: "{{#if n}}{{n}}{{else}}<b>x</b>{{/if}}", text: "" })).message).toContain("markup in a fallback");
    expect(refusal(() => fromSes({ subject: "{{Name}}", html: "{{name}}", text: "" })).message).toContain("{{Name}} and {{name}}");
    expect(refusal(() => fromSes({ subject: "s", html: "\\{{name}}", text: "" })).message).toContain("\\{{name}}");
  });

  test("publish then import gives back the same template", () => {
    const templates = [
      { subject: "Welcome, {{name|friend}}", html: '<p>Hi <strong>{{name}}</strong> from {{company|your company}},</p><p><a href="https://example.com/?e={{email}}">Go</a></p>', text: null },
      { subject: "Plain", html: "<p>{{#each}} stays text; {{a|b & c}}; C:\\{{x}}; {{y|}}</p>", text: "Text {{a|b & c}} and {{#raw}}" },
    ];
    for (const template of templates) expect(fromSes(toSes(template))).toEqual(template);
  });
});

describe("SES's limits and the MIME answer of a test render", () => {
  test("names SES accepts pass; others are refused on the name field", () => {
    expect(checkSesName(" welcome_2-b ")).toBe("welcome_2-b");
    for (const bad of ["", "with space", "é", "a".repeat(65), "a/b"]) expect(refusal(() => checkSesName(bad)).field).toBe("name");
    expect(sesNameFor("Spring news! Été 2026")).toBe("spring-news-ete-2026");
    expect(sesNameFor("!!!")).toBe("sesame-template");
    expect(sesNameFor("x".repeat(100))).toHaveLength(64);
  });

  test("a template over 500 KB is refused before SES is asked", () => {
    expect(() => checkSesSize({ subject: "s", html: "x".repeat(500 * 1024 - 1), text: "" })).not.toThrow();
    expect(refusal(() => checkSesSize({ subject: "s", html: "x".repeat(400 * 1024), text: "y".repeat(101 * 1024) })).code).toBe("ses_template_too_large");
  });

  test("test data must be a JSON object", () => {
    expect(checkTemplateData("")).toBe("{}");
    expect(checkTemplateData('{"a":"b"}')).toBe('{"a":"b"}');
    for (const bad of ["[1]", "nope", '"x"', "null"]) expect(refusal(() => checkTemplateData(bad)).field).toBe("data");
  });

  test("the publication link keeps the region with the name", () => {
    expect(parseSesLink(sesLink("eu-west-1", "welcome"))).toEqual({ region: "eu-west-1", name: "welcome" });
    expect(parseSesLink("welcome")).toBeNull();
    expect(parseSesLink(null)).toBeNull();
  });

  test("a multipart answer is read: encoded subject, quoted-printable and base64 parts", () => {
    const html = Buffer.from("<p>Grüße, Zoë</p>").toString("base64");
    const mime = [
      "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?UTF-8?B?LCBab8Or?=",
      "MIME-Version: 1.0",
      'Content-Type: multipart/alternative; boundary="--_b1"',
      "",
      "----_b1",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "Gr=C3=BC=C3=9Fe, a line that was folded =",
      "here =3D done",
      "----_b1",
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: base64",
      "",
      html,
      "----_b1--",
      "",
    ].join("\r\n");
    expect(readRenderedMessage(mime)).toEqual({ subject: "Grüße, Zoë", text: "Grüße, a line that was folded here = done", html: "<p>Grüße, Zoë</p>" });
  });

  test("a single-part answer is read as its one part", () => {
    expect(readRenderedMessage("Subject: Hi\nContent-Type: text/plain\n\nJust text\n")).toEqual({ subject: "Hi", html: "", text: "Just text" });
    expect(decodeHeader("plain")).toBe("plain");
  });
});
