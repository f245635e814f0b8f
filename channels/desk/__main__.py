"""`python -m channels.desk create-coach NAME [--admin]` and `python -m channels.desk purge [--days N]`."""
import argparse
import getpass
import sys
from typing import List, Optional

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from catalog_db import handoffs
from catalog_db.engine import create_schema, get_engine, make_session
from channels.config import ServerConfig
from channels.desk.analytics import summary


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m channels.desk", description="Manage the coach desk.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-coach", help="add a coach who can sign in to the desk")
    create.add_argument("username")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.add_argument("--admin", action="store_true", help="may also label the messages the assistant missed")
    purge = commands.add_parser("purge", help="delete closed transcripts, conversations and their analytics older "
                                              "than the retention period")
    purge.add_argument("--days", type=int, help="retention in days (default: DESK_RETENTION_DAYS or 90)")
    args = parser.parse_args(argv)
    config = ServerConfig.from_env()
    try:
        create_schema(get_engine(config.database_url))
        with make_session(config.database_url) as session, session.begin():
            if args.command == "create-coach":
                password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
                handoffs.create_coach(session, args.username, password, admin=args.admin)
                print(f"{'Admin' if args.admin else 'Coach'} {args.username} can now sign in.")
            else:
                removed = handoffs.purge_closed(session, args.days or config.retention_days)
                print(f"Deleted {removed} closed handoffs.")
        if args.command == "purge":
            events, conversations = summary.purge_expired(get_engine(config.database_url),
                                                          get_engine(config.tracker_db_url),
                                                          args.days or config.retention_days)
            print(f"Deleted {events} conversation events and the summary of {conversations} conversations.")
    except ValueError as error:
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
