import { describe, expect, test } from "bun:test";
import { beforeBodyEnd } from "../../src/lib/links";

describe("beforeBodyEnd", () => {
  test("goes before the last </body>, whatever its case, or at the end when there is none", () => {
    expect(beforeBodyEnd("<body><p>x</p></body></html>", "<img>")).toBe("<body><p>x</p><img></body></html>");
    expect(beforeBodyEnd("<BODY>x</BODY>", "<img>")).toBe("<BODY>x<img></BODY>");
    // A body quoted inside the content comes before the real end: the real one is where it goes.
    expect(beforeBodyEnd("<body>see </body> here</body>", "<img>")).toBe("<body>see </body> here<img></body>");
    // A later closing tag in another case still wins over an earlier exact one.
    expect(beforeBodyEnd("<body>a</body>b</Body>", "<img>")).toBe("<body>a</body>b<img></Body>");
    expect(beforeBodyEnd("<p>no body</p>", "<img>")).toBe("<p>no body</p><img>");
  });
});
