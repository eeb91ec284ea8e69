import type { DnsRecord, IdentityView } from "../../src/features/identities/model";
import { formatInZone } from "../../src/lib/zones";
import { Button } from "../components/Button";
import { ErrorSlot } from "../credentials/AwsPage";
import { dkimWord, verificationWord } from "../credentials/labels";
import { Status } from "../credentials/parts";
import { identityDomId, identityPath, mailFromWord } from "./labels";

/** A value with a button that copies it (public/islands/app.js, "copyable"). */
function Copyable({ value, what }: { value: string; what: string }) {
  return (
    <span x-data="copyable" class="flex min-w-0 items-start gap-2">
      <code x-ref="source" class="min-w-0 flex-1 break-all" safe>
        {value}
      </code>
      <button
        type="button"
        x-on:click="copy"
        aria-label={`Copy ${what}`}
        class="shrink-0 rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
      >
        <span x-show="!copied">Copy</span>
        <span x-show="copied" x-cloak>
          Copied
        </span>
      </button>
    </span>
  );
}

/** DNS records as rows that stack on a phone: type, name and value, each name and value copyable. */
export function DnsRecords({ records, testid }: { records: DnsRecord[]; testid: string }) {
  return (
    <ul class="divide-y divide-slate-200 rounded border border-slate-200 bg-slate-50 text-xs" data-testid={testid}>
      {records.map((record) => (
        <li class="grid gap-1 px-3 py-2 sm:grid-cols-[4rem_minmax(0,1fr)_minmax(0,1fr)] sm:gap-3" data-record-type={record.type}>
          <span class="font-medium">
            {record.type}
            {record.priority !== undefined ? (
              <span class="block font-normal text-slate-500" safe>
                {`priority ${record.priority}`}
              </span>
            ) : (
              ""
            )}
          </span>
          <span class="min-w-0">
            <span class="text-slate-500 sm:hidden">Name</span>
            <Copyable value={record.name} what={`the ${record.type} record's name`} />
          </span>
          <span class="min-w-0" data-testid="dns-value">
            <span class="text-slate-500 sm:hidden">Value</span>
            <Copyable value={record.value} what={`the ${record.type} record's value`} />
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * What SES says of the identity. While something is pending it reads itself again every 30 s and
 * stops once nothing is (the route answers without the trigger).
 */
export function IdentityStatus({ identity, zone, error }: { identity: IdentityView; zone: string; error?: string }) {
  const id = `${identityDomId(identity.identity)}-status`;
  // A verified domain SES is not signing: DKIM turned off, or BYODKIM never set up. SES checks nothing, so nothing is pending.
  const dkimOff = identity.type === "domain" && identity.verified && identity.dkimStatus === "NOT_STARTED";
  const poll = identity.pending ? { "hx-get": `/aws/identities/${identityPath(identity.identity)}?part=status`, "hx-trigger": "every 30s", "hx-swap": "outerHTML" } : {};
  return (
    <div id={id} class="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm" data-testid="identity-status" data-pending={String(identity.pending)} {...poll}>
      <span class="flex items-center gap-1.5">
        <span class="text-slate-500">Verification</span>
        <Status word={verificationWord(identity.verificationStatus)} value={identity.verificationStatus} api="VerificationStatus" />
      </span>
      {identity.type === "domain" ? (
        <span class="flex items-center gap-1.5">
          <span class="text-slate-500">DKIM</span>
          {identity.dkimStatus ? (
            <Status word={dkimOff ? { label: "Signing off", tone: "gray" } : dkimWord(identity.dkimStatus)} value={identity.dkimStatus} api="DKIM status" />
          ) : (
            <span class="text-slate-400">not read yet</span>
          )}
        </span>
      ) : (
        ""
      )}
      {identity.mailFrom ? (
        <span class="flex items-center gap-1.5">
          <span class="text-slate-500">MAIL FROM</span>
          <Status word={mailFromWord(identity.mailFrom.status ?? "PENDING")} value={identity.mailFrom.status ?? "PENDING"} api="MailFromDomainStatus" />
        </span>
      ) : (
        ""
      )}
      <span class="text-xs text-slate-500">
        Checked <time datetime={identity.checkedAt.toISOString()} safe>{formatInZone(identity.checkedAt, zone)}</time>
        {identity.pending ? "; checked again every 30 seconds while this page is open" : ""}
      </span>
      {dkimOff ? (
        <span class="w-full text-xs text-slate-600" data-testid="dkim-off">
          DKIM signing is off for this domain: SES sends its mail unsigned, so DMARC rests on SPF alone and some receivers trust it less. Turn DKIM signing on for
          it in SES (Easy DKIM) to sign it again.
        </span>
      ) : (
        ""
      )}
      {error ? (
        <span class="w-full text-xs text-red-700" role="alert" safe>
          {error}
        </span>
      ) : (
        ""
      )}
    </div>
  );
}

function MailFromForm({ identity, standalone }: { identity: IdentityView; standalone: boolean }) {
  const cardId = identityDomId(identity.identity);
  const parent = identity.identity.slice(identity.identity.lastIndexOf("@") + 1);
  const inputId = `${cardId}-mail-from`;
  return (
    <form
      hx-put={`/aws/identities/${identityPath(identity.identity)}/mail-from`}
      hx-target={`#${cardId}-errors`}
      hx-swap="innerHTML"
      hx-disabled-elt="find button"
      class="flex flex-wrap items-end gap-2"
      data-testid="mail-from-form"
    >
      {standalone ? <input type="hidden" name="standalone" value="1" /> : ""}
      <div class="w-full sm:w-80">
        <label for={inputId} class="mb-1 block text-sm font-medium text-slate-700">
          Custom MAIL FROM domain
        </label>
        <input
          id={inputId}
          name="domain"
          type="text"
          value={identity.mailFrom?.domain ?? ""}
          placeholder={`mail.${parent}`}
          maxlength={253}
          aria-describedby={`${inputId}-hint`}
          class="block w-full rounded border border-slate-300 px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500"
        />
      </div>
      <Button kind="secondary">Save MAIL FROM domain</Button>
      {identity.mailFrom ? (
        <Button
          kind="secondary"
          type="button"
          hx-put={`/aws/identities/${identityPath(identity.identity)}/mail-from`}
          hx-vals={JSON.stringify({ domain: "", ...(standalone ? { standalone: "1" } : {}) })}
          hx-target={`#${cardId}-errors`}
          hx-swap="innerHTML"
          hx-disabled-elt="this"
          hx-confirm={`Stop using ${identity.mailFrom.domain} as the MAIL FROM domain? Mail then leaves from amazonses.com, and SPF no longer aligns with ${parent} for DMARC.`}
        >
          Remove
        </Button>
      ) : (
        ""
      )}
      <p id={`${inputId}-hint`} class="w-full text-xs text-slate-500" safe>
        {`A subdomain of ${parent} that receives no mail. Bounces return there, so SPF passes for your own domain instead of amazonses.com. If its MX record is missing, SES sends from amazonses.com instead (BehaviorOnMxFailure: USE_DEFAULT_VALUE).`}
      </p>
    </form>
  );
}

/**
 * One identity: its state, the DNS records to publish (copyable), its custom MAIL FROM domain, and
 * "Check now" and delete. Errors of its buttons and form land in its own slot; a success replaces it.
 */
export function IdentityCard({ identity, canManage, zone, standalone = false }: { identity: IdentityView; canManage: boolean; zone: string; standalone?: boolean }) {
  const id = identityDomId(identity.identity);
  const path = identityPath(identity.identity);
  const domain = identity.type === "domain";
  return (
    <article id={id} class="mb-4 min-w-0 rounded-lg border border-slate-200 bg-white p-4" data-testid="identity-card" data-identity={identity.identity}>
      <div class="mb-3 flex flex-wrap items-start justify-between gap-2">
        <h3 class="min-w-0 break-all font-mono text-base font-medium">
          {standalone ? (
            <span safe>{identity.identity}</span>
          ) : (
            <a href={`/settings/aws/identities/${path}`} class="hover:underline" safe>
              {identity.identity}
            </a>
          )}
          <span class="ml-2 whitespace-nowrap font-sans text-xs font-normal text-slate-500">{domain ? "Domain" : "Address"}</span>
        </h3>
        <div class="flex flex-wrap gap-2">
          <Button kind="secondary" type="button" hx-get={`/aws/identities/${path}${standalone ? "?standalone=1" : ""}`} hx-target={`#${id}-errors`} hx-swap="innerHTML" hx-disabled-elt="this" data-testid="identity-check">
            Check now
          </Button>
          {canManage ? (
            <Button
              kind="danger"
              type="button"
              hx-delete={`/aws/identities/${path}${standalone ? "?then=list" : ""}`}
              hx-target={`#${id}-errors`}
              hx-swap="innerHTML"
              hx-disabled-elt="this"
              hx-confirm={`Delete ${identity.identity} from SES? Nothing can be sent from it any more, and its verification${domain ? " and DKIM set-up are" : " is"} lost: adding it again starts over${domain ? " with new DNS records" : ""}.`}
              data-testid="identity-delete"
            >
              Delete
            </Button>
          ) : (
            ""
          )}
        </div>
      </div>
      <ErrorSlot id={`${id}-errors`} />
      <IdentityStatus identity={identity} zone={zone} />
      {domain ? (
        <details class="mt-4" open={identity.pending || standalone}>
          <summary class="cursor-pointer text-sm font-medium">DNS records to publish</summary>
          <div class="mt-3 space-y-4">
            <section>
              <h4 class="mb-1 text-sm font-medium">DKIM</h4>
              <p class="mb-2 text-xs text-slate-600">
                These three CNAME records prove to SES that you own the domain and let it sign your mail. SES verifies the domain once it finds them.
              </p>
              {identity.dkimRecords.length ? (
                <DnsRecords records={identity.dkimRecords} testid="dkim-records" />
              ) : (
                <p class="text-xs text-slate-500">SES has not given the DKIM records yet: press Check now.</p>
              )}
            </section>
            {identity.mailFrom ? (
              <section>
                <h4 class="mb-1 text-sm font-medium" safe>{`MAIL FROM: ${identity.mailFrom.domain}`}</h4>
                <p class="mb-2 text-xs text-slate-600">The MX record brings bounces back to SES; the SPF record lets SES send for this domain.</p>
                <DnsRecords records={identity.mailFrom.records} testid="mail-from-records" />
              </section>
            ) : (
              ""
            )}
            {identity.dmarcRecord ? (
              <section>
                <h4 class="mb-1 text-sm font-medium">DMARC (suggested)</h4>
                <p class="mb-2 text-xs text-slate-600">
                  Gmail and Yahoo ask bulk senders for a DMARC record. This one only asks receivers to report; it changes no delivery. Skip it if the domain
                  already has one.
                </p>
                <DnsRecords records={[identity.dmarcRecord]} testid="dmarc-record" />
              </section>
            ) : (
              ""
            )}
          </div>
        </details>
      ) : identity.verified ? (
        ""
      ) : (
        <p class="mt-3 text-sm text-slate-600" safe>
          {`SES has emailed ${identity.identity} a link. Open it to verify the address; the link expires after 24 hours.`}
        </p>
      )}
      {identity.type === "email" && identity.mailFrom ? (
        <section class="mt-4">
          <h4 class="mb-1 text-sm font-medium" safe>{`MAIL FROM: ${identity.mailFrom.domain}`}</h4>
          <DnsRecords records={identity.mailFrom.records} testid="mail-from-records" />
        </section>
      ) : (
        ""
      )}
      {canManage ? (
        <div class="mt-4 border-t border-slate-200 pt-4">
          <MailFromForm identity={identity} standalone={standalone} />
        </div>
      ) : identity.mailFrom ? (
        ""
      ) : (
        <p class="mt-4 text-xs text-slate-500">Mail leaves from amazonses.com (no custom MAIL FROM domain). A workspace admin can set one.</p>
      )}
    </article>
  );
}
