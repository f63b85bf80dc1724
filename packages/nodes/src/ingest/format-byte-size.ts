const UNITS = [
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
] as const;

/**
 * A byte count as people read limits: `20 MiB`, `64 KiB`, `1.5 MiB`, `900 bytes`.
 *
 * @example
 * formatByteSize(20 * 1024 * 1024); // "20 MiB"
 */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of UNITS) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : Number(value.toFixed(1))} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}
