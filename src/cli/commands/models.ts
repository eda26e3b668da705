/**
 * `dreamflow models list [--json]`: every known network, whether its weights are here, their size and where they
 * are (or come from). `dreamflow models pull NETWORK [--url URL] [--md5 HASH] [--force]`: downloads a Keras
 * network's published `.h5` into the cache (resume, MD5 check, atomic move: src/weights/pull.ts), with a
 * progress bar on a TTY and plain lines otherwise. Exit codes: 0 ok, 1 download failed, 2 usage.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DreamflowError } from '../../errors/dreamflow-error.ts';
import { UsageError } from '../../errors/runtime-errors.ts';
import { knownNetworks, networkInfo } from '../../networks/registry.ts';
import { weightsCacheDir } from '../../weights/cache-dir.ts';
import { isKerasNetworkName, KERAS_NETWORK_NAMES } from '../../weights/known.ts';
import { listWeights, pullWeights } from '../../weights/pull.ts';
import { prettyReporter } from '../reporters/pretty.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED } from '../exit-codes.ts';
import type { CommandResult } from '../options.ts';

export interface ModelRow {
  network: string;
  /** 'present' | 'missing' | 'partial' (an interrupted download) | 'bundled' (ships with a package) */
  status: 'present' | 'missing' | 'partial' | 'bundled';
  /** Bytes on disk (present), downloaded so far (partial), or to download (missing). */
  bytes?: number;
  expectedBytes?: number;
  /** The file when present or partial; else where `pull` downloads it from. */
  path?: string;
  source: string;
}

export function modelRows(cacheDir = weightsCacheDir()): ModelRow[] {
  const keras: ModelRow[] = listWeights({ cacheDir }).map((w) => ({
    network: w.network,
    status: w.present ? 'present' : w.partialBytes !== undefined ? 'partial' : 'missing',
    bytes: w.present ? w.bytes : (w.partialBytes ?? w.expectedBytes),
    expectedBytes: w.expectedBytes,
    path: w.present ? w.path : w.partialBytes !== undefined ? `${w.path}.part` : undefined,
    source: w.source,
  }));
  const others: ModelRow[] = knownNetworks()
    .filter((n) => !isKerasNetworkName(n))
    .map((n) => ({ network: n, status: networkInfo(n)?.offline ? 'bundled' : 'missing', source: shortSource(networkInfo(n)?.description ?? '') }));
  return [...others, ...keras];
}

/** "InceptionV3 bundled with nsfwjs@4.4.0 (offline): the Keras …" → its first clause. */
function shortSource(description: string): string {
  const cut = description.search(/[:;]/);
  return cut > 0 ? description.slice(0, cut) : description;
}

/** Decimal units, as download sizes are usually quoted (the published VGG16 file is 58.9 MB). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

function sizeText(r: ModelRow): string {
  if (r.bytes === undefined) return '-';
  if (r.status === 'partial') return `${formatBytes(r.bytes)} of ${formatBytes(r.expectedBytes!)}`;
  if (r.status === 'missing') return `(${formatBytes(r.bytes)})`;
  return formatBytes(r.bytes);
}

function printTable(rows: ModelRow[], cacheDir: string): void {
  const table = rows.map((r) => [r.network, r.status, sizeText(r), r.path ?? r.source]);
  const head = ['network', 'weights', 'size', 'file or source'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  const out = [line(head), ...table.map(line), '', `weights cache: ${cacheDir}`];
  const missing = rows.filter((r) => r.status === 'missing' || r.status === 'partial').map((r) => r.network);
  if (missing.some((n) => isKerasNetworkName(n))) out.push(`get one with: dreamflow models pull NETWORK  (${missing.join(', ')})`);
  process.stdout.write(out.join('\n') + '\n');
}

interface PullFlags {
  url?: string;
  md5?: string;
  force?: boolean;
}

export function registerModelsCommand(program: Command, result: CommandResult): void {
  const models = program.command('models').description('list and download network weights');
  models
    .command('list')
    .description('show each known network, whether its weights are present, their size and where they are')
    .option('--json', 'print one JSON object per network instead of a table')
    .action((flags: { json?: boolean }) => {
      const dir = weightsCacheDir();
      const rows = modelRows(dir);
      if (flags.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
      else printTable(rows, dir);
      result.code = EXIT_OK;
    });
  models
    .command('pull')
    .description(`download a network's Keras weights into the cache (${KERAS_NETWORK_NAMES.join(', ')})`)
    .argument('<network>', KERAS_NETWORK_NAMES.join(', '))
    .option('--url <url>', 'download from this URL (a mirror) instead of the published one')
    .option('--md5 <hash>', "expected MD5 (default: the published file's; a file that is not a published one loads only with --weights)")
    .option('--force', 'download again even when a verified file is present')
    .action(async (network: string, flags: PullFlags) => {
      result.code = await pullCommand(network, flags);
    });
}

async function pullCommand(network: string, flags: PullFlags): Promise<number> {
  const reporter = prettyReporter();
  if (!isKerasNetworkName(network)) {
    reporter.fail(
      new DreamflowError('E_UNKNOWN_NETWORK', `no weights to download for "${network}"`, {
        expected: `one of ${KERAS_NETWORK_NAMES.join(', ')}`,
        hints: networkInfo(network)?.offline ? [`${network} ships with its package: nothing to download`] : [],
      }),
    );
    return EXIT_INVALID;
  }
  if (flags.md5 !== undefined && !/^[0-9a-f]{32}$/i.test(flags.md5)) {
    reporter.fail(new UsageError(`--md5 expects 32 hex digits, got "${flags.md5}"`));
    return EXIT_INVALID;
  }
  const progress = downloadProgress(network, process.stderr);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const res = await pullWeights(network, {
      url: flags.url,
      md5: flags.md5?.toLowerCase(),
      force: flags.force,
      signal: abort.signal,
      onProgress: progress.update,
    });
    progress.stop();
    const how = res.alreadyPresent
      ? 'already present'
      : res.resumedFrom > 0
        ? `resumed at ${formatBytes(res.resumedFrom)}`
        : 'downloaded';
    process.stdout.write(`${network}: ${how}, ${formatBytes(res.bytes)}, md5 ${res.md5}\n${res.path}\n`);
    return EXIT_OK;
  } catch (err) {
    progress.stop();
    reporter.fail(err);
    return EXIT_RUN_FAILED;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** A cli-progress bar on a TTY; otherwise a line at every 10% (every 10 MB when the size is unknown). */
function downloadProgress(network: string, out: NodeJS.WriteStream) {
  let bar: cliProgress.SingleBar | undefined;
  let lastMark = -1;
  let started = false;
  const mb = (n: number) => Number((n / 1e6).toFixed(1));
  return {
    update(received: number, total: number | undefined) {
      if (out.isTTY) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { stream: out, format: `${network} [{bar}] {percentage}% · {value}/{total} MB`, barsize: 30, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total !== undefined ? mb(total) : 0, mb(received));
        }
        if (total !== undefined) bar.setTotal(mb(total));
        bar.update(mb(received));
        return;
      }
      if (!started) {
        started = true;
        out.write(`pulling ${network}${received > 0 ? ` (resuming at ${formatBytes(received)})` : ''}\n`);
      }
      const mark = total ? Math.floor((received / total) * 10) : Math.floor(received / 10e6);
      if (mark > lastMark) {
        lastMark = mark;
        out.write(total ? `  ${mark * 10}% (${formatBytes(received)} of ${formatBytes(total)})\n` : `  ${formatBytes(received)}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
