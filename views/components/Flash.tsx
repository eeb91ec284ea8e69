export function Flash({ kind, message }: { kind: "error" | "success" | "info"; message: string }) {
  const tone = {
    error: "border-red-300 bg-red-50 text-red-800",
    success: "border-emerald-300 bg-emerald-50 text-emerald-800",
    info: "border-sky-300 bg-sky-50 text-sky-800",
  }[kind];
  return (
    <div role={kind === "error" ? "alert" : "status"} class={`rounded border px-4 py-3 text-sm ${tone}`} safe>
      {message}
    </div>
  );
}

