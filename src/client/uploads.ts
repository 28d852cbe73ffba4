import { InvalidArgumentError } from './errors.ts';
import type { Uploadable } from './types.ts';

/**
 * Checks that `file` can be a multipart file part: a web `File`, or a `Blob` with a non-empty
 * `name` (the part needs a file name, and a bare Blob has none).
 *
 * @example `const file = checkUploadable(new File(['hi'], 'notes.txt'), 'body.file');`
 * @internal
 */
export function checkUploadable(file: unknown, argument: string): Uploadable {
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) {
    throw new InvalidArgumentError(argument, 'must be a File, or a Blob with a `name` (read a path into one with fs.openAsBlob, then wrap it in a File)');
  }
  const name = (file as { name?: unknown }).name;
  if (typeof name !== 'string' || name === '') {
    throw new InvalidArgumentError(argument, 'is a Blob without a `name`: pass a File, or give the Blob a name (`new File([blob], "notes.txt")`)');
  }
  return file as Uploadable;
}

/** The file's name, for reports. @internal */
export function nameOf(file: Uploadable): string {
  return file.name;
}

/**
 * A multipart form of `fields` (nested objects as `key[sub]`, the official SDK's encoding)
 * with `file` as the `file` part.
 *
 * @internal
 */
export function toFormData(fields: Readonly<Record<string, unknown>>, file: Uploadable): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) appendField(form, key, value);
  form.append('file', file, file.name);
  return form;
}

function appendField(form: FormData, key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'object' && value !== null) {
    for (const [sub, item] of Object.entries(value)) appendField(form, `${key}[${sub}]`, item);
  } else {
    form.append(key, String(value));
  }
}
