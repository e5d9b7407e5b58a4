import { describe, expect, it } from "vitest";
import { findUnsafeNumber } from "../../src/http/json-numbers.js";

describe("findUnsafeNumber", () => {
  it.each([
    ['{"amount": 50}'],
    ['{"amount": 50.50, "n": -1, "x": [0.001, 12]}'],
    ['{"text": "1e3 inside a string is text", "esc": "\\"1e3\\""}'],
    ['{"amount": 999999999999999}'],
    ['{"amount": 0.000000000000001}'],
  ])("lets %s through", (text) => {
    expect(findUnsafeNumber(text)).toBeUndefined();
  });

  it.each([
    ['{"amount": 1e3}', "1e3"],
    ['{"amount": 1E+3}', "1E+3"],
    ['{"a": [1, 2.5e-2]}', "2.5e-2"],
    ['{"amount": 123456789012345678901234567890}', "123456789012345678901234567890"],
    ['{"amount": 1234567890123456}', "1234567890123456"],
  ])("finds the unsafe token in %s", (text, token) => {
    expect(findUnsafeNumber(text)).toBe(token);
  });
});
