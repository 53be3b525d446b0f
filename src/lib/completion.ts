/**
 * Shell completion scripts, generated from the commands the CLI has (oclif's manifest): command
 * words (topics separated by spaces), each command's flags, and the choices of a flag that has
 * them. Pure text; `atpctl completion SHELL` prints it.
 */
export interface CompletionCommand {
  /** oclif id, topics joined by ':' (`device:list`). */
  id: string
  flags: {name: string; char?: string; options?: readonly string[]}[]
}

export const COMPLETION_SHELLS = ['bash', 'zsh', 'powershell'] as const
export type CompletionShell = (typeof COMPLETION_SHELLS)[number]

const words = (id: string) => id.split(':').join(' ')
/** Single-quoted for bash and PowerShell alike: our ids, flags and choices hold no quote. */
const q = (s: string) => `'${s.replaceAll("'", '')}'`

function bashFunction(bin: string, commands: CompletionCommand[]): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}_complete`
  const flagCases = commands
    .map((c) => `    ${q(words(c.id))}) flags=${q(c.flags.map((f) => `--${f.name}`).join(' '))} ;;`)
    .join('\n')
  const optionCases = commands
    .flatMap((c) => c.flags.filter((f) => f.options && f.options.length > 0).map((f) => `    ${q(`${words(c.id)} --${f.name}`)}) choices=${q(f.options!.join(' '))} ;;`))
    .join('\n')
  return `${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev=""
  [ "$COMP_CWORD" -gt 1 ] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local -a ids=(${commands.map((c) => q(words(c.id))).join(' ')})
  # The command typed so far: the words before the first flag.
  local typed="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) break ;; esac
    typed="\${typed:+$typed }\${COMP_WORDS[i]}"
  done
  local flags="" choices=""
  case "$typed" in
${flagCases}
  esac
  if [[ "$prev" == --* ]]; then
    case "$typed $prev" in
${optionCases}
    esac
    if [ -n "$choices" ]; then
      COMPREPLY=($(compgen -W "$choices" -- "$cur"))
      return 0
    fi
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags --help --json --profile --no-input" -- "$cur"))
    return 0
  fi
  # The next command word: what follows "$typed " in the ids.
  local next="" id rest
  for id in "\${ids[@]}"; do
    if [ -z "$typed" ]; then rest="$id"; elif [[ "$id" == "$typed "* ]]; then rest="\${id#"$typed "}"; else continue; fi
    rest="\${rest%% *}"
    [[ " $next " == *" $rest "* ]] || next="$next $rest"
  done
  COMPREPLY=($(compgen -W "$next" -- "$cur"))
  return 0
}
`
}

export function completionScript(shell: CompletionShell, bin: string, commands: CompletionCommand[]): string {
  const sorted = [...commands].sort((a, b) => a.id.localeCompare(b.id))
  switch (shell) {
    case 'bash': {
      return `# ${bin} completion for bash. Load it with: source <(${bin} completion bash)\n${bashFunction(bin, sorted)}complete -o default -F _${bin.replace(/[^A-Za-z0-9_]/g, '_')}_complete ${bin}\n`
    }

    case 'zsh': {
      // zsh runs the bash function through its bash-completion layer (bashcompinit).
      return `# ${bin} completion for zsh. Load it with: source <(${bin} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashFunction(bin, sorted)}complete -o default -F _${bin.replace(/[^A-Za-z0-9_]/g, '_')}_complete ${bin}
`
    }

    default: {
      const entries = sorted
        .map((c) => {
          const choices = c.flags
            .filter((f) => f.options && f.options.length > 0)
            .map((f) => `${q(`--${f.name}`)} = @(${f.options!.map(q).join(', ')})`)
            .join('; ')
          return `  ${q(words(c.id))} = @{ flags = @(${c.flags.map((f) => q(`--${f.name}`)).join(', ')}); choices = @{ ${choices} } }`
        })
        .join('\n')
      return `# ${bin} completion for PowerShell. Load it with: ${bin} completion powershell | Out-String | Invoke-Expression
$__${bin.replace(/[^A-Za-z0-9_]/g, '_')}Commands = @{
${entries}
}
Register-ArgumentCompleter -Native -CommandName ${q(bin)} -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $commands = $__${bin.replace(/[^A-Za-z0-9_]/g, '_')}Commands
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
  if ($wordToComplete -ne '' -and $words.Count -gt 0) { $words = @($words | Select-Object -SkipLast 1) }
  $typed = (@($words | Where-Object { -not $_.StartsWith('-') }) -join ' ')
  $prev = if ($words.Count -gt 0) { $words[-1] } else { '' }
  $results = @()
  if ($commands.ContainsKey($typed) -and $prev.StartsWith('--') -and $commands[$typed].choices.ContainsKey($prev)) {
    $results = $commands[$typed].choices[$prev]
  } elseif ($wordToComplete.StartsWith('-')) {
    $results = @()
    if ($commands.ContainsKey($typed)) { $results += $commands[$typed].flags }
    $results += @('--help', '--json', '--profile', '--no-input')
  } else {
    $results = $commands.Keys | ForEach-Object {
      if ($typed -eq '') { ($_ -split ' ')[0] } elseif ($_.StartsWith("$typed ")) { ($_.Substring($typed.Length + 1) -split ' ')[0] }
    } | Sort-Object -Unique
  }
  $results | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`
    }
  }
}
