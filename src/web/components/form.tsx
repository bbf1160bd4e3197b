import type { Children } from '@kitajs/html';
import { CSRF_FIELD } from '../csrf.ts';
import { FORM_LEVEL, type FieldErrors } from '../forms.ts';

export function CsrfField(props: { token: string }): JSX.Element {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}

/** The form-level message (a refusal that is about no single field), announced to screen readers. */
export function FormAlert(props: { errors?: FieldErrors }): JSX.Element {
  const message = props.errors?.[FORM_LEVEL];
  const fieldCount = Object.keys(props.errors ?? {}).filter((k) => k !== FORM_LEVEL).length;
  if (!message && fieldCount === 0) return '';
  return (
    <div class="notice error" role="alert">
      {message ? <p safe>{message}</p> : <p>Please correct the highlighted fields.</p>}
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string;
  errors?: FieldErrors;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  maxlength?: number;
  form?: string;
}

/** A labelled input with its hint and error message tied to it (aria-describedby, aria-invalid). */
export function Field(props: FieldProps): JSX.Element {
  const id = `field-${props.form ? `${props.form}-` : ''}${props.name}`;
  const error = props.errors?.[props.name];
  const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id} safe>
        {props.label}
      </label>
      {props.hint ? (
        <span class="hint" id={`${id}-hint`} safe>
          {props.hint}
        </span>
      ) : (
        ''
      )}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode as 'text' | undefined}
        maxlength={props.maxlength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
        form={props.form}
      />
      {error ? (
        <span class="error" id={`${id}-error`} safe>
          {error}
        </span>
      ) : (
        ''
      )}
    </div>
  );
}

export function Notice(props: { kind: 'info' | 'success' | 'warning' | 'error'; children: Children; role?: string }): JSX.Element {
  return (
    <div class={`notice ${props.kind}`} role={props.role ?? (props.kind === 'error' ? 'alert' : 'status')}>
      {props.children}
    </div>
  );
}
