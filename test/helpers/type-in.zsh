#!/usr/bin/env zsh -f
# Types into an interactive shell on a pseudo-terminal, as a person would,
# and prints everything the terminal showed (test helper for completion).
#   type-in.zsh SHELL-COMMAND SETUP-LINE KEYS
# SETUP-LINE is typed first (loading the completion), then KEYS: each TAB in
# them is sent as a real TAB, so the shell's own completion runs, with a pause
# after it; a newline runs the line. Then `exit`.
zmodload zsh/zpty || exit 3
local shell=$1 setup=$2 keys=$3 out= chunk
local -a parts
parts=("${(@ps:\t:)keys}")
zpty -b sh "$shell" || exit 3
drain() { sleep $1; while zpty -r -t sh chunk; do out+=$chunk; done }
zpty -w sh "$setup"
drain 1.5
for (( i = 1; i <= $#parts; i++ )); do
  zpty -w -n sh "${parts[i]}"
  (( i < $#parts )) && { zpty -w -n sh $'\t'; drain 1 }
done
drain 1.5
zpty -w sh 'exit'
drain 0.5
zpty -d sh
print -r -- "$out"
