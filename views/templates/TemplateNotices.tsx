import type { TemplateWarning } from "../../src/features/templates/model";

/** What a save left that a send would refuse; shown with the save's flash and when the template is opened. */
export function TemplateWarnings({ warnings }: { warnings: TemplateWarning[] }) {
  return (
    <>
      {warnings.map((w) => (
        <p role="status" class="mt-2 rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="template-warning" safe>
          {w.message}
        </p>
      ))}
    </>
  );
}

/** The test send's answer when the workspace has no AWS keys: the way to connect them, one click away. */
export function ConnectAwsNotice() {
  return (
    <div role="alert" class="rounded border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800">
      <a href="/settings/aws" class="font-medium underline">
        Connect your AWS keys first
      </a>{" "}
      (Settings → AWS), then send the test again.
    </div>
  );
}
