import { ROLE_LABEL, type InviteRole } from "../../src/features/workspaces/model";
import { AuthCard } from "../auth/AuthCard";
import { Button } from "../components/Button";

export interface InvitePageProps {
  token: string;
  /** The workspace and role the link is for, when it still works (or the viewer already belongs there). */
  invite: { workspaceName: string; role: InviteRole } | null;
  /** Why the link does not work, when it does not. */
  refusal: string | null;
  /** The signed-in viewer, if any, and whether they already belong to the workspace. */
  viewer: { email: string; member: boolean } | null;
}

const LINK_BUTTON =
  "inline-flex w-full items-center justify-center rounded px-4 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2";

/** The page behind an invite link: what it is for, and the one step that uses it (join, or sign up / log in first). */
export function InvitePage({ token, invite, refusal, viewer }: InvitePageProps) {
  const self = `/invite/${token}`;
  if (viewer?.member && invite) {
    return (
      <AuthCard title={`You already belong to ${invite.workspaceName}`}>
        <p class="mb-4 text-sm text-slate-600" safe>{`Signed in as ${viewer.email}. This link stays unused, for whoever it was meant for.`}</p>
        <form method="post" action={`${self}/accept`}>
          <Button>
            <span safe>{`Open ${invite.workspaceName}`}</span>
          </Button>
        </form>
      </AuthCard>
    );
  }
  if (refusal || !invite) {
    return (
      <AuthCard title="This invite link does not work" error={refusal ?? undefined}>
        <a href={viewer ? "/dashboard" : "/login"} class="text-sm text-sky-700 underline">
          {viewer ? "Back to the dashboard" : "Log in"}
        </a>
      </AuthCard>
    );
  }
  const role = ROLE_LABEL[invite.role].toLowerCase();
  return (
    <AuthCard title={`Join ${invite.workspaceName}`}>
      <p class="mb-4 text-sm text-slate-700" data-testid="invite-summary" safe>
        {`You are invited to the Sesame workspace "${invite.workspaceName}" as ${invite.role === "admin" ? "an" : "a"} ${role}.`}
      </p>
      <p class="mb-4 text-sm text-slate-600">
        {invite.role === "admin"
          ? "Admins manage the workspace's AWS keys, members and settings, as well as lists, templates and campaigns."
          : "Members work with the workspace's lists, templates and campaigns."}
      </p>
      {viewer ? (
        <>
          <form method="post" action={`${self}/accept`}>
            <Button>
              <span safe>{`Join ${invite.workspaceName}`}</span>
            </Button>
          </form>
          <p class="mt-4 text-xs text-slate-500" safe>{`Signed in as ${viewer.email}.`}</p>
        </>
      ) : (
        <div class="flex flex-col gap-3">
          <a href={`/signup?invite=${encodeURIComponent(token)}`} class={`${LINK_BUTTON} bg-sky-700 text-white hover:bg-sky-800`}>
            Create an account
          </a>
          <a href={`/login?next=${encodeURIComponent(self)}`} class={`${LINK_BUTTON} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
            Log in
          </a>
        </div>
      )}
    </AuthCard>
  );
}
