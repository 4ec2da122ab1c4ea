import cliProgress from 'cli-progress'

export type Progress = { update(done: number, total?: number): void; stop(): void }

/**
 * A progress bar for long work, shown only when a person is watching (stdout is a terminal).
 * In scripts, CI and tests it does nothing, so their output stays clean.
 */
export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stdout): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, hideCursor: true, clearOnComplete: false, stream },
    cliProgress.Presets.shades_classic,
  )
  bar.start(Math.max(total, 1), 0)
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) bar.setTotal(Math.max(newTotal, 1))
      bar.update(done)
    },
    stop: () => bar.stop(),
  }
}
