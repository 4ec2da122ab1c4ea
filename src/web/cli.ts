import type { Command } from 'commander'
import { startServer, stopOnSignals } from './server.ts'

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve the web app and API. In demo mode (the default outside production) creates a demo partnership.')
    .option('--no-demo', 'do not create demo data or demo users')
    .option('-p, --port <port>', 'port to listen on (default: PORT or 3000)')
    .action(async (options: { demo: boolean; port?: string }) => {
      const overrides: { demo?: boolean; port?: number } = {}
      if (options.demo === false) overrides.demo = false
      if (options.port !== undefined) {
        const port = Number(options.port)
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, not “${options.port}”`)
        overrides.port = port
      }
      stopOnSignals(await startServer(overrides))
    })
}
