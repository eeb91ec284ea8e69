export const TEMPLATE_NAME_MAX = 120;
export const SUBJECT_MAX = 500;
/**
 * SES accepts messages up to 40 MB, but mail clients clip long ones (Gmail at about 102 KB), so a
 * template is capped well below SES's limit.
 */
export const HTML_MAX_BYTES = 512 * 1024;
export const CLIP_WARNING_BYTES = 102 * 1024;

export interface TemplateInput {
  name: string;
  subject: string;
  html: string;
  text?: string | null;
}

export interface TemplateView {
  id: string;
  name: string;
  subject: string;
  html: string;
  text: string | null;
  variables: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** A save that succeeded but left something a send would refuse. */
export interface TemplateWarning {
  code: "variables_not_in_lists";
  variables: string[];
  message: string;
}

export type SavedTemplate = TemplateView & { warnings: TemplateWarning[] };

/** Marks a test mail's subject, so it is never mistaken for the real thing in an inbox. */
export const TEST_SUBJECT_PREFIX = "[Test] ";

/** Sample values for a preview with neither a contact nor values chosen. */
export const SAMPLE_VALUES: Record<string, string> = { name: "Alex", first_name: "Alex", company: "Example Ltd", email: "alex@example.com" };
