/** A count as pages show it: thousands separated, "1,234,567". */
export const count = (n: number) => n.toLocaleString("en");
