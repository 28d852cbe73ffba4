/** `vector` scaled to unit length (cosine similarity is then a dot product); a zero vector stays zero. */
export function unitVector(values: readonly number[]): Float32Array {
  let norm = 0;
  for (const value of values) norm += value * value;
  norm = Math.sqrt(norm);
  const unit = new Float32Array(values.length);
  if (norm === 0) return unit;
  for (let index = 0; index < values.length; index += 1) unit[index] = values[index]! / norm;
  return unit;
}

/** The dot product of two vectors of the same length (their cosine when both are unit vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  const length = Math.min(a.length, b.length);
  let sum = 0;
  for (let index = 0; index < length; index += 1) sum += a[index]! * b[index]!;
  return sum;
}

/**
 * A vector as stored in a row's JSON: its float32 bytes (little-endian) in base64, a quarter
 * of the size of the numbers written out.
 *
 * @example `decodeVector(encodeVector(new Float32Array([0.6, 0.8]))) // Float32Array [0.6, 0.8]`
 */
export function encodeVector(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < vector.length; index += 1) view.setFloat32(index * 4, vector[index]!, true);
  return Buffer.from(bytes).toString('base64');
}

/** The vector {@link encodeVector} wrote. */
export function decodeVector(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Float32Array(Math.floor(bytes.byteLength / 4));
  for (let index = 0; index < vector.length; index += 1) vector[index] = view.getFloat32(index * 4, true);
  return vector;
}
