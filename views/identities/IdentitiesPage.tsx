import type { Auth } from "../../src/features/auth/model";
import type { IdentityView } from "../../src/features/identities/model";
import { AwsPageFrame } from "../credentials/AwsTabs";
import { Section } from "../credentials/parts";
import { IdentitiesPanel } from "./IdentitiesPanel";
import { IdentityCard } from "./IdentityCard";

/** Settings › AWS › Identities: every identity with its DNS records, MAIL FROM domain and checks. */
export function IdentitiesPage(props: { auth: Auth; identities: IdentityView[] | null; error?: string; canManage: boolean; zone: string }) {
  return (
    <AwsPageFrame auth={props.auth} active="identities" title="Sending identities">
      <Section title="Domains and addresses" id="aws-identities-section">
        <p class="mb-4 text-sm text-slate-600">
          SES sends only from verified identities: a domain (any address at it) or a single address. Campaigns and the Send page offer the verified ones.
        </p>
        <IdentitiesPanel identities={props.identities} error={props.error} canManage={props.canManage} view="full" zone={props.zone} />
      </Section>
    </AwsPageFrame>
  );
}

/** One identity on a page of its own. */
export function IdentityPage(props: { auth: Auth; identity: IdentityView; canManage: boolean; zone: string }) {
  return (
    <AwsPageFrame auth={props.auth} active="identities" title={props.identity.identity}>
      <p class="mb-4 text-sm">
        <a href="/settings/aws/identities" class="text-sky-700 hover:underline">
          ← All identities
        </a>
      </p>
      <IdentityCard identity={props.identity} canManage={props.canManage} zone={props.zone} standalone />
    </AwsPageFrame>
  );
}
