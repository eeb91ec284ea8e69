import type { Auth } from "../../src/features/auth/model";
import { EmptyState } from "../components/EmptyState";
import { AppShell, type NavKey } from "../layouts/AppShell";

/** The empty state of a section whose feature has not been built into this instance yet. */
export function SectionEmptyPage({ auth, active, title, heading, text }: { auth: Auth; active: NavKey; title: string; heading: string; text: string }) {
  return (
    <AppShell auth={auth} active={active} title={title}>
      <EmptyState title={heading}>
        <p safe>{text}</p>
      </EmptyState>
    </AppShell>
  );
}
