"""What both tree checks do with their findings: print them one a line, then fail or say all is well."""
import sys


def report(found, all_well):
    """Prints each finding; exits 1 with a count when there are any, else prints `all_well`."""
    for finding in found:
        print(finding)
    if found:
        sys.exit(f"{len(found)} finding(s)")
    print(all_well)
