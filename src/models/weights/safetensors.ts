/**
 * Reads and writes the safetensors format (huggingface/safetensors, the format timm and the
 * Hugging Face hub save PyTorch weights in): an 8-byte little-endian header length N, N bytes of
 * JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then the raw
 * little-endian tensor bytes, offsets relative to the end of the header. Short enough to own; no
 * maintained npm reader exists for Node buffers. Floats are read as F32 (F16/BF16/F64 are
 * widened), integers (num_batches_tracked) as numbers.
 */

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** The file is not valid safetensors; the message names the file and the problem. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

const WIDTH: Readonly<Record<string, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Every tensor of a safetensors file, by name, as float32. `where` names the file in errors. */
export function readSafetensors(bytes: Uint8Array, where: string): Map<string, NamedTensor> {
  const bad = (what: string) => new SafetensorsError(`${where} is not a valid safetensors file: ${what}`);
  if (bytes.byteLength < 8) throw bad(`${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.byteLength - 8) throw bad(`header length ${headerLen} exceeds the file (${bytes.byteLength} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<string, unknown>;
  } catch (err) {
    throw bad(`header is not JSON (${(err as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const out = new Map<string, NamedTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as Partial<HeaderEntry>;
    const width = WIDTH[e.dtype ?? ''];
    if (width === undefined) throw bad(`tensor ${name}: dtype ${JSON.stringify(e.dtype)} is not one of ${Object.keys(WIDTH).join(', ')}`);
    if (!Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) throw bad(`tensor ${name}: missing shape or data_offsets`);
    const [begin, end] = e.data_offsets;
    const count = e.shape.reduce((n, d) => n * d, 1);
    if (end - begin !== count * width || dataStart + end > bytes.byteLength) {
      throw bad(`tensor ${name}: data_offsets [${begin}, ${end}] do not hold ${count} x ${e.dtype} inside the file`);
    }
    out.set(name, { shape: [...e.shape], data: decode(bytes.subarray(dataStart + begin, dataStart + end), e.dtype!, count) });
  }
  return out;
}

function decode(b: Uint8Array, dtype: string, count: number): Float32Array {
  // A DataView, not a typed array: the tensor need not be aligned in the file.
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'F64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(i * 2, true));
        break;
      case 'BF16':
        out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]!;
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(i * 8, true));
        break;
      case 'I32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'I16':
        out[i] = view.getInt16(i * 2, true);
        break;
      case 'I8':
        out[i] = view.getInt8(i);
        break;
      default:
        out[i] = view.getUint8(i);
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** One tensor to write: float32 data, or an int64 scalar/vector (`dtype: 'I64'`, BN's num_batches_tracked). */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** A safetensors file with the tensors in the given order and `metadata` (timm writes `{format: 'pt'}`). */
export function writeSafetensors(tensors: ReadonlyMap<string, TensorToWrite>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const n = t.data.byteLength;
    header[name] = { dtype: t.data instanceof BigInt64Array ? 'I64' : 'F32', shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  // The format pads the header with spaces to a multiple of 8 so the data is aligned.
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
