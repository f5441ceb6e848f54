# zsh -f zsh_complete.zsh FOLDER LINE: prints what zsh's completion offers for LINE (the cursor at
# its end), one word a line, with the _backstop in FOLDER. zsh completes only inside the line
# editor, so this types LINE and a TAB into an interactive zsh on a pseudo-terminal and reports
# every word handed to compadd. The markers are spelt in two pieces so that the terminal's echo of
# the typed definitions never matches them.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'stty -echo; PROMPT=""; RPROMPT=""'
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { local -a hits; builtin compadd -O hits "$@"; local i; for i in $hits; do print -r -- "HI""T:$i"; done; builtin compadd "$@" }'
zpty -w z 'report-done () { print -r -- "DO""NE:" }; zle -N report-done; bindkey "^X" report-done'
zpty -w z "$2"$'\t\C-X'
while zpty -r z line; do
  [[ $line == *DONE:* ]] && break
  [[ $line == *HIT:* ]] && print -r -- "${${line#*HIT:}%%[$'\r\n']*}"
done
zpty -d z
