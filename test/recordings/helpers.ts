/**
 * Test helpers for the recordings adapter: hand-written 8 kHz 16-bit mono WAV files, a virtual
 * clock whose sleep() moves time and runs scheduled file changes, and temp folders.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WaitClock } from '../../src/adapters/recordings/wait-stable.js';

/** PCM samples of a sine wave, 16-bit little-endian. */
export function sinePcm(seconds: number, rate = 8000, freq = 440): Buffer {
  const n = Math.round(seconds * rate);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 12000), i * 2);
  return pcm;
}

/** A canonical 44-byte RIFF/WAVE header for mono 16-bit PCM. */
export function wavHeader(dataBytes: number, rate = 8000): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28); // byte rate
  h.writeUInt16LE(2, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export function wavBytes(seconds: number, rate = 8000): Buffer {
  const pcm = sinePcm(seconds, rate);
  return Buffer.concat([wavHeader(pcm.length, rate), pcm]);
}

/** G.711 µ-law encoding of one 16-bit sample. */
function ulaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), 32635) + BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | mant) & 0xff;
}

/** A µ-law WAV (format 7, 8-bit, as Asterisk's `wav` with ulaw or many PBX exports). */
export function ulawWavBytes(seconds: number, rate = 8000): Buffer {
  const pcm = sinePcm(seconds, rate);
  const n = pcm.length / 2;
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = ulaw(pcm.readInt16LE(i * 2));
  const h = Buffer.alloc(46 + 12);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(h.length - 8 + n, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.writeUInt16LE(0, 36); // cbSize
  h.write('fact', 38, 'ascii');
  h.writeUInt32LE(4, 42);
  h.writeUInt32LE(n, 46);
  h.write('data', 50, 'ascii');
  h.writeUInt32LE(n, 54);
  return Buffer.concat([h, data]);
}

export async function writeWav(path: string, seconds: number): Promise<number> {
  const b = wavBytes(seconds);
  await writeFile(path, b);
  return b.length;
}

export async function tempDir(prefix = 'rec-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Virtual time: sleep(ms) advances the clock by ms, then runs every scheduled action that is due
 * (in time order) before resolving, so "the PBX writes the file at t=700" happens exactly then.
 */
export function virtualClock(start = 1_000_000): WaitClock & { at(ms: number, action: () => Promise<void> | void): void; sleeps: number[] } {
  let now = start;
  const due: Array<{ t: number; action: () => Promise<void> | void }> = [];
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    at(ms, action) {
      due.push({ t: start + ms, action });
      due.sort((a, b) => a.t - b.t);
    },
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
      while (due.length > 0 && due[0]!.t <= now) await due.shift()!.action();
    },
  };
}

export const FFMPEG = '/usr/bin/ffmpeg';
