import fs from 'node:fs/promises'
import readline from 'node:readline'
import { OpsError } from './errors.ts'

/**
 * Where a new user's password comes from, in order: --password-file (first line), a hidden prompt asked
 * twice on a terminal, or the first line of standard input when it is piped. Never the command line in
 * production: arguments show in `ps` and in shell history.
 */
export async function readNewPassword(options: { passwordFile?: string | undefined; password?: string | undefined; production: boolean }): Promise<string> {
  if (options.password !== undefined) {
    if (options.production) throw new OpsError('--password is refused in production (it shows in ps and shell history); use --password-file or the prompt.')
    return options.password
  }
  if (options.passwordFile) {
    let text: string
    try {
      text = await fs.readFile(options.passwordFile, 'utf8')
    } catch (error) {
      throw new OpsError(`Cannot read the password file ${options.passwordFile}: ${(error as Error).message}`)
    }
    return firstLine(text, `the password file ${options.passwordFile}`)
  }
  if (process.stdin.isTTY) {
    const [password, again] = await promptHidden(['Password: ', 'Type it again: '])
    if (!password) throw new OpsError('No password given.')
    if (again !== password) throw new OpsError('The two passwords did not match.')
    return password
  }
  let text = ''
  for await (const chunk of process.stdin) text += String(chunk)
  return firstLine(text, 'standard input')
}

function firstLine(text: string, where: string): string {
  const line = text.split(/\r?\n/)[0] ?? ''
  if (!line) throw new OpsError(`No password found in ${where}.`)
  return line
}

/** Asks each question on the terminal without echoing what is typed; one interface, so no typed-ahead line is lost. */
function promptHidden(questions: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true })
    // readline echoes through this method: let the question through, then mute it while the password is typed.
    const internals = rl as unknown as { _writeToOutput: (s: string) => void }
    const write = internals._writeToOutput.bind(rl)
    let muted = false
    internals._writeToOutput = text => {
      if (!muted) write(text)
    }
    const answers: string[] = []
    let settled = false
    const ask = () => {
      muted = false
      rl.question(questions[answers.length]!, answer => {
        process.stdout.write('\n')
        answers.push(answer)
        if (answers.length < questions.length) return ask()
        settled = true
        rl.close()
        resolve(answers)
      })
      muted = true
    }
    rl.on('close', () => {
      if (!settled) reject(new OpsError('No password given.'))
    })
    rl.on('SIGINT', () => rl.close())
    ask()
  })
}
