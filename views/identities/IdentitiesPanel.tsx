import type { IdentityView } from "../../src/features/identities/model";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { Table } from "../components/Table";
import { ErrorSlot } from "../credentials/AwsPage";
import { dkimWord, verificationWord } from "../credentials/labels";
import { Status } from "../credentials/parts";
import { DnsRecords, IdentityCard } from "./IdentityCard";
import { identityPath } from "./labels";

/** "summary": the Connection page's table; "full": the Identities page, one card per identity. */
export type IdentitiesView = "summary" | "full";

function SummaryTable({ identities }: { identities: IdentityView[] }) {
  return (
    <div class="mb-4">
      <Table headers={["Identity", "Type", "Verification", "DKIM"]} testid="aws-identities-table">
        {identities.map((identity) => (
          <>
          <tr class="border-t border-slate-200 align-top">
            <td class="px-4 py-2 font-mono break-all">
              <a href={`/settings/aws/identities/${identityPath(identity.identity)}`} class="hover:underline" safe>
                {identity.identity}
              </a>
            </td>
            <td class="px-4 py-2">{identity.type === "domain" ? "Domain" : "Address"}</td>
            <td class="px-4 py-2">
              <Status word={verificationWord(identity.verificationStatus)} value={identity.verificationStatus} api="VerificationStatus" />
            </td>
            <td class="px-4 py-2">
              {identity.dkimStatus ? <Status word={dkimWord(identity.dkimStatus)} value={identity.dkimStatus} api="DKIM status" /> : <span class="text-slate-400">—</span>}
            </td>
          </tr>
          {identity.pending && identity.dkimRecords.length ? (
            <tr>
              <td colspan="4" class="px-4 pb-3">
                <p class="mb-2 text-xs text-slate-600">Publish these DNS records to verify the domain and sign its mail (DKIM):</p>
                <DnsRecords records={identity.dkimRecords} testid="aws-dns-records" />
              </td>
            </tr>
          ) : (
            ""
          )}
          </>
        ))}
      </Table>
      <p class="mt-2 text-sm">
        <a href="/settings/aws/identities" class="text-sky-700 hover:underline">
          DNS records, MAIL FROM domains and checks on the Identities page →
        </a>
      </p>
    </div>
  );
}

/**
 * The sending identities. The add form is shown even when the list could not be read: adding an
 * identity is a separate call, and often what the person came to do.
 */
export function IdentitiesPanel({
  identities,
  error,
  canManage,
  view = "summary",
  zone = "UTC",
}: {
  identities: IdentityView[] | null;
  error?: string;
  canManage: boolean;
  view?: IdentitiesView;
  zone?: string;
}) {
  return (
    <div id="aws-identities" data-testid="aws-identities" data-view={view}>
      {error ? (
        <div class="mb-4 space-y-2" data-testid="aws-identities-error">
          <Flash kind="error" message={error} />
          <Button kind="secondary" type="button" hx-get={view === "full" ? "/aws/identities?view=full" : "/aws/identities"} hx-target="#aws-identities" hx-swap="outerHTML" hx-disabled-elt="this">
            Try again
          </Button>
        </div>
      ) : (
        ""
      )}
      {identities && identities.length === 0 ? (
        <p class="mb-4 text-sm text-slate-600" data-testid="aws-identities-empty">
          No identities yet. Add the domain or address you send from: SES sends only from verified identities.
        </p>
      ) : (
        ""
      )}
      {identities && identities.length > 0 && view === "summary" ? <SummaryTable identities={identities} /> : ""}
      {identities && identities.length > 0 && view === "full" ? (
        <div data-testid="identity-cards">
          {identities.map((identity) => (
            <IdentityCard identity={identity} canManage={canManage} zone={zone} />
          ))}
        </div>
      ) : (
        ""
      )}
      {canManage ? (
        <form
          hx-post="/aws/identities"
          hx-target="#aws-identity-errors"
          hx-swap="innerHTML"
          hx-disabled-elt="find button"
          class="flex flex-wrap items-end gap-x-2"
          data-testid="aws-identity-form"
        >
          <input type="hidden" name="view" value={view} />
          <div class="w-full">
            <ErrorSlot id="aws-identity-errors" />
          </div>
          <div class="w-full sm:w-72">
            <Field name="identity" label="Add an address or domain" required maxlength={320} hint="A domain (example.com) lets you send from any address at it once its DNS records are published; SES emails an address a link." />
          </div>
          <div class="mb-4">
            <Button kind="secondary">Add identity</Button>
          </div>
        </form>
      ) : (
        <p class="text-sm text-slate-600">A workspace admin can add and delete identities.</p>
      )}
    </div>
  );
}
