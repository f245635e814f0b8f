"""The desk's command line: coaches' accounts, their sessions, and retention.

    python -m channels.desk create-coach NAME [--admin] [--display-name "Sam Rivera"] [--email sam@example.edu]
    python -m channels.desk set-password NAME            # and ends every session NAME has
    python -m channels.desk revoke NAME                  # ends every session NAME has (a lost laptop)
    python -m channels.desk purge [--days N]             # apply retention now (logs in LOG_DIR too)
"""
import argparse
import getpass
import sys
from typing import List, Optional

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from catalog_db.engine import get_engine, make_session
from channels.config import ServerConfig
from channels.desk import log_retention
from channels.desk.analytics import summary
from handoff_db import desk_access, handoffs
from handoff_db.schema import create_schema


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m channels.desk", description="Manage the coach desk.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("create-coach", "add a coach who can sign in to the desk"),
                            ("set-password", "change a coach's password and end their sessions")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("username")
        command.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create = commands.choices["create-coach"]
    create.add_argument("--admin", action="store_true",
                        help="may also label missed messages and manage accounts and saved replies")
    create.add_argument("--display-name", help="the name learners see on the coach's replies (else the username)")
    create.add_argument("--email", help="where alerts of new handoffs go while the coach is on duty")
    revoke = commands.add_parser("revoke", help="end every desk session of a coach")
    revoke.add_argument("username")
    purge = commands.add_parser("purge", help="apply retention: transcripts, abandoned handoffs, the audit log, "
                                              "conversations and their analytics")
    purge.add_argument("--days", type=int, help="retention in days (default: DESK_RETENTION_DAYS or 90)")
    args = parser.parse_args(argv)
    config = ServerConfig.from_env()
    try:
        create_schema(get_engine(config.database_url, create=config.own_database))
        with make_session(config.database_url) as session, session.begin():
            if args.command in ("create-coach", "set-password"):
                password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
                if args.command == "create-coach":
                    desk_access.create_coach(session, args.username, password, admin=args.admin,
                                             display_name=args.display_name, email=args.email)
                    print(f"{'Admin' if args.admin else 'Coach'} {args.username} can now sign in.")
                else:
                    ended = desk_access.set_password(session, args.username, password)
                    print(f"Changed the password of {args.username}; ended {ended} sessions.")
            elif args.command == "revoke":
                print(f"Ended {desk_access.revoke_sessions(session, args.username)} sessions of {args.username}.")
            else:
                abandoned = handoffs.close_abandoned(session, config.abandoned_days)
                removed = handoffs.purge_closed(session, args.days or config.retention_days)
                desk_access.purge_expired(session, config.audit_retention_days)
                print(f"Closed {abandoned} abandoned handoffs. Deleted {removed} closed handoffs.")
        if args.command == "purge":
            days = args.days or config.retention_days
            events, conversations = summary.purge_expired(get_engine(config.database_url),
                                                          get_engine(config.tracker_db_url), days)
            print(f"Deleted {events} conversation events and the summary of {conversations} conversations.")
            if config.log_dir is not None and config.log_dir.is_dir():
                rolled, deleted = log_retention.roll_and_purge(config.log_dir, days)
                print(f"Rolled {rolled} logs of {config.log_dir} and deleted {deleted} past retention.")
    except (ValueError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except IntegrityError:
        print(f"error: a coach called {args.username} already exists", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"error: the database cannot be reached: {error.__class__.__name__}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
