/**
 * Shell completion scripts, generated from the command table so a new command or option completes
 * without editing a script. Static words only: completing image names or registries would run the
 * CLI on every <Tab>, and a project can take seconds to render.
 */
export function completionScript(shell: 'bash' | 'zsh', commands: Record<string, string[]>): string {
  const names = [...Object.keys(commands), 'help', 'completion'].sort();
  const cases = Object.entries(commands)
    .map(([name, options]) => `    ${name}) opts="${options.join(' ')}" ;;`)
    .join('\n');
  const bash = `# bash completion for stowage: source <(stowage completion bash)
_stowage() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${names.join(' ')} --version --help" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
    help) opts="${Object.keys(commands).sort().join(' ')}" ;;
    completion) opts="bash zsh" ;;
  esac
  if [[ "$cur" == -* || "$cmd" == help || "$cmd" == completion ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o default -F _stowage stowage
`;
  if (shell === 'bash') return bash;
  // zsh runs the bash function through bashcompinit, so both shells complete the same words.
  return `# zsh completion for stowage: source <(stowage completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash}`;
}
