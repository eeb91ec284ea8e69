import type { Auth } from "../../src/features/auth/model";
import { attributeKey } from "../../src/features/contacts/model";
import type { ImportReport, Preview } from "../../src/features/imports/model";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { AppShell } from "../layouts/AppShell";

export function UploadForm({ listId }: { listId: string }) {
  return (
    <div id="import-step" data-testid="import-upload">
      <form hx-post={`/lists/${listId}/import`} hx-encoding="multipart/form-data" hx-target="#import-step" hx-swap="outerHTML" hx-disabled-elt="find button">
        <input type="hidden" name="preview" value="1" />
        <div id="import-errors" class="mb-3" aria-live="assertive"></div>
        <label for="import-file" class="block text-sm font-medium text-slate-700 mb-1">
          CSV file
        </label>
        <input id="import-file" name="file" type="file" accept=".csv,.tsv,.txt,text/csv,text/plain" required class="mb-2 block text-sm" />
        <p class="mb-4 text-xs text-slate-500">
          One row per contact with a header row. One column holds the email address; every other column becomes an attribute you can use in templates. Commas,
          semicolons and tabs all work, and so do files saved by Excel.
        </p>
        <Button>
          Upload and preview
          <span class="htmx-indicator ml-2" aria-hidden="true">
            …
          </span>
        </Button>
      </form>
    </div>
  );
}

/** The first rows of the upload with a choice per column: the address, an attribute (named), or skipped. */
export function MappingForm({ importId, preview, fileName }: { importId: string; preview: Preview; fileName: string | null }) {
  const { columns } = preview.format;
  return (
    <div id="import-step" data-testid="import-mapping">
      <form hx-post={`/imports/${importId}/start`} hx-target="#import-step" hx-swap="outerHTML" hx-disabled-elt="find button">
        <div id="import-errors" class="mb-3" aria-live="assertive"></div>
        <p class="mb-3 text-sm text-slate-600" safe>
          {`${fileName ?? "The file"}: ${columns.length} columns, separated by ${preview.format.delimiter === "\t" ? "tabs" : `"${preview.format.delimiter}"`}, read as ${preview.format.encoding.toUpperCase()}. Choose what each column is.`}
        </p>
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white mb-4">
          <table class="min-w-full text-sm">
            <thead class="bg-slate-50 text-left">
              <tr>
                {columns.map((column, i) => (
                  <th class="px-3 py-2 align-top font-medium">
                    <span class="block mb-1" safe>
                      {column}
                    </span>
                    <label class="sr-only" for={`use_${i}`} safe>{`Use of column ${column}`}</label>
                    <select id={`use_${i}`} name={`use_${i}`} class="mb-1 block w-40 rounded border border-slate-300 px-2 py-1 text-xs" data-column={column}>
                      <option value="email" selected={preview.emailColumn === i}>
                        Email address
                      </option>
                      <option value="attribute" selected={preview.emailColumn !== i}>
                        Attribute
                      </option>
                      <option value="skip">Skip</option>
                    </select>
                    <label class="sr-only" for={`key_${i}`} safe>{`Attribute name for ${column}`}</label>
                    <input id={`key_${i}`} name={`key_${i}`} value={attributeKey(column) || `column_${i + 1}`} class="block w-40 rounded border border-slate-300 px-2 py-1 text-xs font-mono" />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((row) => (
                <tr class="border-t border-slate-200">
                  {columns.map((_, i) => (
                    <td class="px-3 py-2 max-w-48 truncate" safe>
                      {row[i] ?? ""}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <fieldset class="mb-4 text-sm">
          <legend class="font-medium mb-1">When an address is already a contact</legend>
          <label class="mr-4">
            <input type="radio" name="onConflict" value="update" checked /> Update its attributes
          </label>
          <label>
            <input type="radio" name="onConflict" value="keep" /> Keep it as it is
          </label>
        </fieldset>
        <Button>Start import</Button>
      </form>
    </div>
  );
}

export function ImportProgress({ report }: { report: ImportReport }) {
  const running = report.status === "running";
  const percent = Math.round(report.progress * 100);
  return (
    <div
      id="import-step"
      data-testid="import-progress"
      data-status={report.status}
      {...(running ? { "hx-get": `/imports/${report.id}`, "hx-trigger": "every 1s", "hx-swap": "outerHTML" } : {})}
    >
      {running ? (
        <>
          <p class="mb-2 text-sm" safe>{`Importing${report.fileName ? ` ${report.fileName}` : ""}… ${report.total.toLocaleString("en")} rows so far, ${report.rowsPerSecond.toLocaleString("en")} rows per second.`}</p>
          <progress class="w-full h-3 mb-2" max="100" value={String(percent)} aria-label="Import progress" safe>{`${percent}%`}</progress>
          <p class="mb-4 text-xs text-slate-500">You can leave this page: the import carries on, and the list shows its progress.</p>
          <Button
            kind="secondary"
            type="button"
            hx-post={`/imports/${report.id}/cancel`}
            hx-target="#import-step"
            hx-swap="outerHTML"
            hx-confirm={`Cancel this import? The ${report.total.toLocaleString("en")} rows imported so far stay on the list; the rest of the file is not imported.`}
            data-testid="cancel-import"
          >
            Cancel import
          </Button>
        </>
      ) : report.status === "failed" || report.status === "cancelled" ? (
        <Flash kind={report.status === "failed" ? "error" : "info"} message={report.failure ?? "The import failed."} />
      ) : report.status === "uploaded" ? (
        <Flash kind="info" message="This file was uploaded but its import was never started." />
      ) : (
        <Flash kind="success" message={`Import finished: ${report.total.toLocaleString("en")} rows read, at ${report.rowsPerSecond.toLocaleString("en")} rows per second.`} />
      )}
      <dl class="mt-4 grid grid-cols-2 gap-4 text-sm sm:grid-cols-6" data-testid="import-report">
        {(
          [
            ["Imported", report.imported, "imported"],
            ["Updated", report.updated, "updated"],
            ["Unchanged", report.unchanged, "unchanged"],
            ["Duplicates in file", report.duplicates, "duplicates"],
            ["Invalid", report.invalid, "invalid"],
            ["Suppressed", report.suppressed, "suppressed"],
          ] as const
        ).map(([label, value, key]) => (
          <div>
            <dt class="text-slate-500">{label}</dt>
            <dd class="text-lg tabular-nums" data-count={key} safe>
              {value.toLocaleString("en")}
            </dd>
          </div>
        ))}
      </dl>
      {report.suppressed > 0 ? (
        <p class="mt-3 text-xs text-slate-600">Suppressed addresses are on the list but stay suppressed: Sesame never sends to them.</p>
      ) : (
        ""
      )}
      {!running && report.invalid > 0 ? (
        <div class="mt-4 overflow-x-auto">
          <table class="text-sm mb-2">
            <tbody>
              {report.errors.slice(0, 10).map((e) => (
                <tr>
                  <td class="pr-4 align-top whitespace-nowrap text-slate-500" safe>{`Row ${e.row}`}</td>
                  <td class="break-words" safe>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <a href={`/imports/${report.id}/errors.csv`} class="text-sm text-sky-700 underline" download="">
            Download all invalid rows (CSV)
          </a>
        </div>
      ) : (
        ""
      )}
      {!running ? (
        <p class="mt-6 flex flex-wrap gap-4 text-sm">
          <a href={`/lists/${report.listId}`} class="text-sky-700 underline">
            Back to the list
          </a>
          <a href={`/lists/${report.listId}/import`} class="text-sky-700 underline">
            Import another file
          </a>
        </p>
      ) : (
        ""
      )}
    </div>
  );
}

/** The line a list page shows while an import into it runs, refreshed every two seconds until it ends. */
export function ImportBanner({ report }: { report: ImportReport }) {
  const running = report.status === "running";
  const percent = Math.round(report.progress * 100);
  return (
    <div
      id="import-banner"
      data-testid="import-banner"
      data-status={report.status}
      class={`mb-4 rounded border px-4 py-3 text-sm ${running ? "border-sky-300 bg-sky-50 text-sky-900" : report.status === "done" ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-slate-300 bg-slate-50 text-slate-800"}`}
      role="status"
      {...(running ? { "hx-get": `/imports/${report.id}/banner`, "hx-trigger": "every 2s", "hx-swap": "outerHTML" } : {})}
    >
      {running ? (
        <>
          <p safe>{`An import is running: ${percent}% of ${report.fileName ?? "the file"} read, ${report.total.toLocaleString("en")} rows so far (${report.imported.toLocaleString("en")} new contacts).`}</p>
          <progress class="mt-2 h-2 w-full" max="100" value={String(percent)} aria-label="Import progress" safe>{`${percent}%`}</progress>
          <a href={`/imports/${report.id}`} class="mt-1 inline-block underline">
            Details or cancel
          </a>
        </>
      ) : (
        <p>
          <span safe>{report.status === "done" ? `The import finished: ${report.imported.toLocaleString("en")} new contacts, ${report.updated.toLocaleString("en")} updated. ` : `${report.failure ?? "The import stopped."} `}</span>
          <a href={`/lists/${report.listId}`} class="underline">
            Show the list as it is now
          </a>
        </p>
      )}
    </div>
  );
}

export function ImportPage({ auth, list, report }: { auth: Auth; list: { id: string; name: string }; report: ImportReport | null }) {
  return (
    <AppShell auth={auth} active="lists" title={report ? "Import" : "Import contacts"} crumbs={[{ href: "/lists", label: "Lists" }, { href: `/lists/${list.id}`, label: list.name }]}>
      <section class="rounded-lg border border-slate-200 bg-white p-4 sm:p-6">{report ? <ImportProgress report={report} /> : <UploadForm listId={list.id} />}</section>
    </AppShell>
  );
}
