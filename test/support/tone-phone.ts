/**
 * A baresip (see `baresip.ts`) that plays a tone from a WAV file through the `aufile` module and
 * records what it receives to another WAV, with a single codec.
 *
 * Debian's baresip 1.0.0 has no file player (its `aufile` module is a source only), so the received
 * audio is recorded by the `sndfile` audio filter, which writes every decoded frame to
 * `<snd_path>/dump-<time>-dec.wav` as it leaves the jitter buffer: the file's time axis is the
 * stream's (one frame per packet received), starting at the first packet. Over ctrl_tcp, after
 * start: `snd_path` (the run folder) and a short jitter buffer are appended to the phone's config,
 * `debug_cmd` is loaded to `/conf_reload` it, then `sndfile` (and the codec's module) is loaded.
 * The phone's default account is left as configured; a second user agent is created (`/uanew`)
 * with per-account `audio_codecs` and `audio_source`, and selected (`/uafind`) for dialling.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baresip } from './baresip';
import { LOOPBACK } from './ports';

/** Options of {@link startTonePhone}. */
export interface TonePhoneOptions {
  /** Short name (log file, SIP user `tone-<label>`). */
  label: string;
  /** The only audio codec of the account as baresip names it: `PCMU/8000/1`, `PCMA/8000/1`, `opus/48000/2`, `G722/16000/1`. */
  codec: string;
  /** baresip module that provides the codec when it is not loaded by the config (`opus.so`, `g722.so`). */
  codecModule?: string;
  /** Tone frequency, Hz. */
  frequency: number;
  /** Length of the tone file, s (the aufile source stops at its end). */
  seconds: number;
  /** Amplitude relative to full scale (default 0.25, i.e. −12 dBFS). */
  volume?: number;
}

/** A started tone phone. */
export interface TonePhone {
  phone: Baresip;
  /** SIP AOR of the tone account. */
  aor: string;
  /** The WAV being played (48 kHz stereo, as the config's `ausrc_srate`/`ausrc_channels` demand). */
  sourceFile: string;
  frequency: number;
  /**
   * The WAV of the decoded audio received during the (only) call, at the codec's rate and channels.
   * @throws Error when sndfile has not created it (no call yet)
   */
  recordingFile(): string;
}

/** baresip's jitter buffer, packets (`jitter_buffer_delay`): playout starts after the first. */
const JITTER_BUFFER_PACKETS = '1-4';

/**
 * Starts baresip, generates the tone with sox and sets up the tone account.
 *
 * @throws Error when sox fails or baresip refuses a command (baresip is disposed first)
 */
export async function startTonePhone(options: TonePhoneOptions): Promise<TonePhone> {
  const phone = await startBaresip(options.label);
  try {
    const sourceFile = path.join(phone.runDir, `tone-${options.frequency}.wav`);
    execFileSync('sox', ['-n', '-r', '48000', '-c', '2', '-b', '16', '-e', 'signed-integer', sourceFile, 'synth', String(options.seconds), 'sine', String(options.frequency), 'vol', String(options.volume ?? 0.25)]);
    fs.appendFileSync(path.join(phone.runDir, 'config'), `\nsnd_path\t\t${phone.runDir}\njitter_buffer_delay\t${JITTER_BUFFER_PACKETS}\n`);
    await expectOk(phone, 'insmod', 'debug_cmd.so');
    await expectOk(phone, 'conf_reload', undefined);
    await expectOk(phone, 'insmod', 'sndfile.so');
    if (options.codecModule !== undefined) await expectOk(phone, 'insmod', options.codecModule);
    const aor = `sip:tone-${options.label}@${LOOPBACK}:${phone.sipPort}`;
    await expectOk(
      phone,
      'uanew',
      `<${aor}>;regint=0;audio_codecs=${options.codec};audio_source=aufile,${sourceFile}`,
    );
    await expectOk(phone, 'uafind', aor);
    const recordingFile = (): string => {
      const name = fs.readdirSync(phone.runDir).find((f) => f.startsWith('dump-') && f.endsWith('-dec.wav'));
      if (name === undefined) throw new Error(`baresip wrote no received audio in ${phone.runDir}:\n${phone.logTail()}`);
      return path.join(phone.runDir, name);
    };
    return { phone, aor, sourceFile, frequency: options.frequency, recordingFile };
  } catch (err) {
    await phone.dispose();
    throw err;
  }
}

async function expectOk(phone: Baresip, command: string, params: string | undefined): Promise<void> {
  const response = await phone.command(command, params);
  if (!response.ok) throw new Error(`baresip refused ${command} ${params}: ${response.data ?? ''}\n${phone.logTail()}`);
}

/** Start attempts: a port found free can still be taken by another process before baresip binds it. */
const START_ATTEMPTS = 3;

/**
 * `Baresip.start`, tried again on fresh ports when baresip exits during start-up.
 * @throws the last attempt's error
 */
async function startBaresip(label: string): Promise<Baresip> {
  let last: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await Baresip.start({ label: attempt === 1 ? label : `${label}-retry${attempt}` });
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
