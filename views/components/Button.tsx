import type { PropsWithChildren } from "@kitajs/html";

export function Button({
  type = "submit",
  kind = "primary",
  children,
  ...rest
}: PropsWithChildren<{ type?: "submit" | "button"; kind?: "primary" | "secondary" | "danger"; [attr: string]: unknown }>) {
  const tone = {
    primary: "bg-sky-700 text-white hover:bg-sky-800",
    secondary: "bg-white text-slate-800 border border-slate-300 hover:bg-slate-50",
    danger: "bg-red-700 text-white hover:bg-red-800",
  }[kind];
  return (
    <button
      type={type}
      class={`inline-flex items-center justify-center rounded px-4 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2 disabled:opacity-50 ${tone}`}
      {...rest}
    >
      {children}
    </button>
  );
}
