import type { Database } from "../../db/client";
import type { Deps } from "../../deps";
import { Invalid } from "../../lib/errors";
import { DEFAULT_SIGNUP_MODE, isSignupMode, type SignupMode } from "./model";
import { readSetting, writeSetting } from "./queries";

const KEY = "signup";

/** Who may create an account on this instance now (the instance admin's choice, "open" until they make one). */
export async function getSignupMode(db: Database): Promise<SignupMode> {
  const value = await readSetting(db, KEY);
  return isSignupMode(value) ? value : DEFAULT_SIGNUP_MODE;
}

export async function setSignupMode(deps: Deps, mode: unknown): Promise<SignupMode> {
  if (!isSignupMode(mode)) throw new Invalid("Choose open, invite or closed.", "invalid_signup_mode", "mode");
  await writeSetting(deps.db, KEY, mode, deps.clock.now());
  return mode;
}
