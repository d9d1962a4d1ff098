import { Readable } from 'node:stream';
// A CommonJS module: the default import is its module.exports, whose `default` is the constructor.
import busboy from '@fastify/busboy';
import { ShomeiError } from '@shomei/shared';

export interface UploadedFile {
  /** The form field the file came in. */
  field: string;
  /** The declared content type of the part, without parameters. */
  type: string;
  bytes: Uint8Array;
}

export interface MultipartLimits {
  /** The only form fields accepted, each a file. */
  fields: readonly string[];
  /** How many parts in all: the first one past it ends the upload. */
  maxParts: number;
  /** The largest file accepted, in bytes. */
  maxFileBytes: number;
}

/**
 * Reads a multipart/form-data body as a stream, with @fastify/busboy, and stops at the first part
 * past `maxParts`, the first byte past `maxFileBytes` or the first field not in `fields`: an
 * outsider's 80,000 tiny parts cost the time to reach the third, not the whole body's parse
 * (which the Fetch API's formData() does before anyone can count). Rejections are
 * ShomeiErrors: `invalid_request` for the shape, `payload_too_large` for a size.
 */
export async function readMultipartFiles(request: Request, limits: MultipartLimits): Promise<UploadedFile[]> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType) || request.body === null) {
    throw new ShomeiError('invalid_request', 'the documents must be sent as multipart/form-data');
  }
  let parser: ReturnType<typeof busboy.default>;
  try {
    parser = busboy.default({
      headers: { 'content-type': contentType },
      limits: { parts: limits.maxParts, files: limits.maxParts, fields: 0, fileSize: limits.maxFileBytes, headerPairs: 8 },
    });
  } catch {
    // Busboy throws on a content type without a boundary, for one.
    throw new ShomeiError('invalid_request', 'the multipart body is malformed');
  }
  const body = Readable.fromWeb(request.body as import('node:stream/web').ReadableStream<Uint8Array>);

  return new Promise<UploadedFile[]>((resolve, reject) => {
    const files: UploadedFile[] = [];
    let settled = false;
    const fail = (error: ShomeiError) => {
      if (settled) return;
      settled = true;
      // Stop reading: what the client still sends is neither parsed nor kept.
      body.unpipe(parser);
      body.destroy();
      parser.removeAllListeners();
      parser.on('error', () => {});
      reject(error);
    };
    const tooMany = () => fail(new ShomeiError('invalid_request', `at most ${limits.maxParts} parts are accepted`));

    parser.on('partsLimit', tooMany);
    parser.on('filesLimit', tooMany);
    parser.on('fieldsLimit', () => fail(new ShomeiError('invalid_request', `${limits.fields.join(' and ')} must be files`)));
    parser.on('field', (name) => {
      if (limits.fields.includes(name)) fail(new ShomeiError('invalid_request', `${name} must be a file`));
      else fail(new ShomeiError('invalid_request', 'unexpected form field'));
    });
    parser.on('file', (field, stream, _filename, _encoding, mimeType) => {
      if (!limits.fields.includes(field)) {
        stream.resume();
        // The name is the client's text: it is not repeated back.
        fail(new ShomeiError('invalid_request', `unexpected form field (expected ${limits.fields.join(', ')})`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', () => fail(new ShomeiError('invalid_request', 'the multipart body is malformed')));
      stream.on('limit', () => fail(new ShomeiError('payload_too_large', `${field} is larger than ${limits.maxFileBytes} bytes`)));
      stream.on('end', () => {
        if (!settled) files.push({ field, type: mimeType.split(';')[0]?.trim().toLowerCase() ?? '', bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('error', () => fail(new ShomeiError('invalid_request', 'the multipart body is malformed')));
    parser.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve(files);
    });
    body.on('error', () => fail(new ShomeiError('invalid_request', 'the upload was interrupted')));
    body.pipe(parser);
  });
}
