/**
 * Reads ZIP archives (yauzl): a SigmaHQ release of rules, or logs zipped for an export or an
 * incident hand-over. An archive is untrusted: sizes are bounded per member and in total (a ZIP
 * bomb stops at the bound, measured on the bytes actually inflated, not the sizes it declares),
 * the number of members is bounded, and names that would leave a folder (absolute, `..`, drive
 * letters, NUL) are refused. Each refused or broken member is reported with its name and reason
 * and the rest are still read; only an archive that cannot be opened at all fails as a whole.
 */
import yauzl from 'yauzl';

export interface ZipLimits {
  /** Members read at most (directories included); the rest are reported, not read. */
  maxEntries: number;
  /** Bytes one member may inflate to. */
  maxEntryBytes: number;
  /** Bytes all members together may inflate to; past it the rest are reported, not read. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

export interface ZipMember {
  /** The member's path inside the archive ("/"-separated). */
  name: string;
  bytes: Uint8Array;
}

export interface ZipProblem {
  name: string;
  reason: string;
}

/** Why a member's name is refused, or undefined when it is a safe relative path. */
export function unsafeZipName(name: string): string | undefined {
  if (name === '' || name.includes('\0')) return 'its name is empty or holds a NUL character';
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[A-Za-z]:/.test(n)) return 'its name is an absolute path';
  if (n.split('/').some((s) => s === '..')) return 'its name climbs out of the archive ("..")';
  return undefined;
}

const formatMB = (n: number): string => `${(n / 1024 / 1024).toLocaleString('en', { maximumFractionDigits: 1 })} MB`;

/**
 * Calls `onMember` for each file member whose name `accept` takes (default: all), one at a time
 * in archive order, and answers the problems met. Rejects only when the archive itself cannot be
 * read (not a ZIP, a damaged central directory), with yauzl's reason.
 */
export async function readZip(
  bytes: Uint8Array,
  onMember: (m: ZipMember) => unknown,
  opts: { limits?: ZipLimits; accept?: (name: string) => boolean } = {},
): Promise<ZipProblem[]> {
  const limits = opts.limits ?? DEFAULT_ZIP_LIMITS;
  const problems: ZipProblem[] = [];
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    // decodeStrings off: yauzl would fail the whole archive on one bad name; names are checked here, member by member.
    yauzl.fromBuffer(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true },
      (err, z) =>
        err || !z ? reject(new Error(`Not a readable ZIP archive: ${err?.message ?? 'no archive'}`)) : resolve(z),
    ),
  );
  let entries = 0;
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (e: Error) => reject(new Error(`The archive is damaged: ${e.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const raw = entry.fileName as unknown as Buffer | string;
          const name = typeof raw === 'string' ? raw : raw.toString('utf8');
          const next = (): void => zip.readEntry();
          entries++;
          if (entries > limits.maxEntries) {
            if (entries === limits.maxEntries + 1)
              problems.push({
                name,
                reason: `The archive has more than ${limits.maxEntries.toLocaleString('en')} members; this one and the rest were not read.`,
              });
            return next();
          }
          if (name.endsWith('/')) return next();
          const unsafe = unsafeZipName(name);
          if (unsafe) {
            problems.push({ name, reason: `Refused: ${unsafe}.` });
            return next();
          }
          if (opts.accept && !opts.accept(name)) return next();
          if (entry.uncompressedSize > limits.maxEntryBytes) {
            problems.push({
              name,
              reason: `It inflates to ${formatMB(entry.uncompressedSize)}, past the ${formatMB(limits.maxEntryBytes)} limit for one member; not read.`,
            });
            return next();
          }
          if (total + entry.uncompressedSize > limits.maxTotalBytes) {
            problems.push({
              name,
              reason: `The archive inflates past ${formatMB(limits.maxTotalBytes)} in all; this member was not read.`,
            });
            return next();
          }
          try {
            const data = await inflate(zip, entry, Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total));
            total += data.length;
            await onMember({ name, bytes: data });
          } catch (e) {
            problems.push({ name, reason: (e as Error).message });
          }
          next();
        })().catch(reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return problems;
}

/** One member's bytes, stopping at `max` whatever its header declared. */
function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(new Error(`It could not be read: ${err?.message ?? 'no stream'}`));
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          stream.destroy();
          reject(new Error(`It inflates past ${formatMB(max)} (more than its header declared); not read.`));
          return;
        }
        chunks.push(c);
      });
      stream.on('error', (e: Error) => reject(new Error(`It could not be inflated: ${e.message}`)));
      stream.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks, size))));
    });
  });
}
