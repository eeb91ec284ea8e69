import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { signToken, verifyToken } from "../../src/lib/signed";

const key = Buffer.alloc(32, 7);

describe("signed tokens", () => {
  test("the signature is the first 16 bytes of HMAC-SHA256 of the body, so links mailed before stay valid", () => {
    const [body, signature] = signToken({ w: "wsp_1", e: "ann@example.com" }, key).split(".") as [string, string];
    expect(signature).toBe(createHmac("sha256", key).update(body).digest().subarray(0, 16).toString("base64url"));
  });

  test("a token verifies as issued, and under a previous key during a rotation", () => {
    const token = signToken({ w: "wsp_1", e: "ann@example.com" }, key);
    expect(verifyToken(token, [key])).toEqual({ w: "wsp_1", e: "ann@example.com" });
    expect(verifyToken(token, [Buffer.alloc(32, 9), key])).toEqual({ w: "wsp_1", e: "ann@example.com" });
    expect(verifyToken(token, [Buffer.alloc(32, 9)])).toBeNull();
  });

  test("only the exact signature text is accepted: other spellings of the same bytes are refused", () => {
    const token = signToken({ w: "wsp_1", e: "ann@example.com" }, key);
    const [body, signature] = token.split(".") as [string, string];
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 16 bytes are 22 base64url characters; the last one carries 4 unused bits, so 16 characters decode to the same bytes.
    const sameBytes = [...alphabet]
      .map((c) => signature.slice(0, -1) + c)
      .filter((s) => s !== signature && Buffer.from(s, "base64url").equals(Buffer.from(signature, "base64url")));
    expect(sameBytes.length).toBeGreaterThan(0);
    // A character past Latin-1 whose low byte is one of the signature's (U+0100 + its code) reads the same in a lossy decoding.
    const lookAlike = `${String.fromCharCode(0x100 + signature.charCodeAt(3))}`;
    const variants = [
      ...sameBytes,
      `${signature}=`,
      `${signature}==`,
      `${signature.slice(0, 5)}!${signature.slice(5)}`,
      ` ${signature}`,
      signature.replace(/-/g, "+").replace(/_/g, "/"),
      `${signature.slice(0, 3)}${lookAlike}${signature.slice(4)}`,
    ];
    for (const variant of variants.filter((v) => v !== signature)) expect({ variant, claims: verifyToken(`${body}.${variant}`, [key]) }).toEqual({ variant, claims: null });
  });
});
