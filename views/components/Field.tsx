export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  error?: string;
  minlength?: number;
  maxlength?: number;
  autofocus?: boolean;
}

/** A labelled input with its hint and its error, the error tied to the input for screen readers. */
export function Field(props: FieldProps) {
  const id = `field-${props.name}`;
  return (
    <div class="mb-4">
      <label for={id} class="block text-sm font-medium text-slate-700 mb-1" safe>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        minlength={props.minlength}
        maxlength={props.maxlength}
        autofocus={props.autofocus}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.hint ? `${id}-hint ${id}-error` : `${id}-error`}
        class={
          "block w-full rounded border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500 " +
          (props.error ? "border-red-400" : "border-slate-300")
        }
      />
      {props.hint ? (
        <p id={`${id}-hint`} class="mt-1 text-xs text-slate-500" safe>
          {props.hint}
        </p>
      ) : (
        ""
      )}
      <p id={`${id}-error`} class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite" safe>
        {props.error ?? ""}
      </p>
    </div>
  );
}
