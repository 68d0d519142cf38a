# tools/test-lib.sh: the winetest-style counting the shell tests share
# (sourced, sh).  runtests.sh reads the summary line it prints.
#
#   t_name NAME        the name on the summary line (set it first)
#   t_ok STATUS WHAT   one check: passes when STATUS is 0, else prints
#                      "NAME: Test failed: WHAT"
#   t_fail WHAT        one check that failed
#   t_passed N         N checks that passed (counted by a program run here)
#   t_skip WHY         one skip: "NAME: Tests skipped: WHY"
#   t_summary          prints "NAME: N tests executed (0 marked as todo,
#                      F failures), S skipped." and exits, 0 only without
#                      failures

t_name_=test t_tests_=0 t_failures_=0 t_skipped_=0

t_name() { t_name_=$1; }

t_fail() {
    t_tests_=$((t_tests_ + 1))
    t_failures_=$((t_failures_ + 1))
    echo "$t_name_: Test failed: $*"
}

t_ok() {
    t_status_=$1
    shift
    if [ "$t_status_" -ne 0 ]; then t_fail "$@"; else t_tests_=$((t_tests_ + 1)); fi
}

t_passed() { t_tests_=$((t_tests_ + $1)); }

t_skip() {
    t_skipped_=$((t_skipped_ + 1))
    echo "$t_name_: Tests skipped: $*"
}

t_summary() {
    echo "$t_name_: $t_tests_ tests executed (0 marked as todo, $t_failures_ failures), $t_skipped_ skipped."
    [ "$t_failures_" -eq 0 ]
    exit
}
