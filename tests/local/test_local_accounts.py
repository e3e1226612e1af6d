"""Asynchronous CreateAccount / CloseAccount and strict MoveAccount (moto-coverage section 1)."""
from __future__ import annotations


def _names(org, parent_id=None):
    if parent_id is None:
        return {a["Name"] for a in org.list_accounts()["Accounts"]}
    return {a["Name"] for a in org.list_accounts_for_parent(ParentId=parent_id)["Accounts"]}


def test_create_account_is_asynchronous(org, root_id):
    """API_CreateAccount ("This is an asynchronous request"): IN_PROGRESS without an AccountId,
    invisible until it completes, then SUCCEEDED in the root with its tags."""
    request = org.create_account(AccountName="Dev One", Email="dev-one@example.com",
                                 Tags=[{"Key": "owner", "Value": "team-a"}])["CreateAccountStatus"]
    assert request["State"] == "IN_PROGRESS" and "AccountId" not in request
    assert "Dev One" not in _names(org)  # read 1 of 2
    done = org.describe_create_account_status(CreateAccountRequestId=request["Id"])[
        "CreateAccountStatus"]  # read 2 of 2
    assert done["State"] == "SUCCEEDED" and "CompletedTimestamp" in done
    assert "Dev One" in _names(org, root_id)
    tags = org.list_tags_for_resource(ResourceId=done["AccountId"])["Tags"]
    assert tags == [{"Key": "owner", "Value": "team-a"}]


def test_any_read_lets_time_pass_for_creations_and_closures(org, new_account):
    """AWS finishes CreateAccount and CloseAccount in the background, whether or not anyone asks
    for their status: every Organizations read counts as time passing for all of them."""
    doomed = new_account("Doomed")
    request = org.create_account(AccountName="Quiet", Email="quiet@example.com")[
        "CreateAccountStatus"]
    org.close_account(AccountId=doomed)
    org.list_roots()
    org.list_roots()  # nobody polled the request or the closure
    accounts = {a["Name"]: a for a in org.list_accounts()["Accounts"]}
    assert accounts["Quiet"]["Status"] == "ACTIVE" and accounts["Doomed"]["Status"] == "SUSPENDED"
    status = org.describe_create_account_status(CreateAccountRequestId=request["Id"])
    assert status["CreateAccountStatus"]["AccountId"] == accounts["Quiet"]["Id"]


def test_mutations_do_not_let_time_pass(org):
    """Five CreateAccount calls in a row are five requests in progress (no read between)."""
    ids = [org.create_account(AccountName=f"M{i}", Email=f"m{i}@example.com")[
        "CreateAccountStatus"]["Id"] for i in range(5)]
    pending = org.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"]
    assert [s["Id"] for s in pending] == ids


def test_list_create_account_status_counts_as_a_poll(org):
    """API_ListCreateAccountStatus: each listing is one status read of requests in progress."""
    request = org.create_account(AccountName="Poll", Email="poll@example.com")[
        "CreateAccountStatus"]
    org.list_create_account_status()
    assert org.describe_create_account_status(CreateAccountRequestId=request["Id"])[
        "CreateAccountStatus"]["State"] == "SUCCEEDED"


def test_create_account_duplicate_email_fails(org, wait_created):
    """API_CreateAccount / CreateAccountStatus.FailureReason EMAIL_ALREADY_EXISTS
    (case-insensitive against existing accounts)."""
    request = org.create_account(AccountName="Copy", Email="AUDIT@example.com")[
        "CreateAccountStatus"]
    assert request["State"] == "IN_PROGRESS"
    status = wait_created(request["Id"])
    assert status["State"] == "FAILED" and status["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    assert "AccountId" not in status and "Copy" not in _names(org)


def test_create_account_duplicate_email_of_request_in_progress(org, wait_created):
    """EMAIL_ALREADY_EXISTS also against another request still IN_PROGRESS."""
    first = org.create_account(AccountName="A", Email="same@example.com")["CreateAccountStatus"]
    second = org.create_account(AccountName="B", Email="Same@Example.com")["CreateAccountStatus"]
    assert wait_created(first["Id"])["State"] == "SUCCEEDED"
    assert wait_created(second["Id"])["FailureReason"] == "EMAIL_ALREADY_EXISTS"


def test_only_five_creations_in_progress(org, aws_error, wait_created):
    """aws-facts 2.1 ("only five can be in progress at a time"); botocore 1.44.8 model reason
    ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED ("number of accounts that can be in progress at a
    time")."""
    ids = [org.create_account(AccountName=f"N{i}", Email=f"n{i}@example.com")[
        "CreateAccountStatus"]["Id"] for i in range(5)]
    response = aws_error("ConstraintViolationException", org.create_account,
                         AccountName="N5", Email="n5@example.com")
    assert response["Reason"] == "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"
    wait_created(ids[0])
    org.create_account(AccountName="N5", Email="n5@example.com")


def test_list_create_account_status_honours_states(org, wait_created):
    """API_ListCreateAccountStatus: the States filter."""
    done = org.create_account(AccountName="Done", Email="done@example.com")["CreateAccountStatus"]
    wait_created(done["Id"])
    org.create_account(AccountName="Busy", Email="busy@example.com")
    in_progress = org.list_create_account_status(States=["IN_PROGRESS"])[
        "CreateAccountStatuses"]
    assert [s["AccountName"] for s in in_progress] == ["Busy"]
    succeeded = org.list_create_account_status(States=["SUCCEEDED"])["CreateAccountStatuses"]
    assert [s["AccountName"] for s in succeeded] == ["Done", "Busy"]  # 2nd read completed Busy


def test_describe_unknown_create_request(org, aws_error):
    """API_DescribeCreateAccountStatus: CreateAccountStatusNotFoundException."""
    aws_error("CreateAccountStatusNotFoundException", org.describe_create_account_status,
              CreateAccountRequestId="car-00000000")


def test_close_account_goes_pending_then_suspended(org, new_account, aws_error):
    """API_CloseAccount: PENDING_CLOSURE while in progress, then SUSPENDED; visible in lists;
    closing again is AccountAlreadyClosedException."""
    account_id = new_account("Doomed")
    org.close_account(AccountId=account_id)
    listed = {a["Id"]: a["Status"] for a in org.list_accounts()["Accounts"]}  # read 1 of 2
    assert listed[account_id] == "PENDING_CLOSURE"
    aws_error("AccountAlreadyClosedException", org.close_account, AccountId=account_id)
    assert org.describe_account(AccountId=account_id)["Account"]["Status"] == "SUSPENDED"
    listed = {a["Id"]: a["Status"] for a in org.list_accounts()["Accounts"]}
    assert listed[account_id] == "SUSPENDED"
    aws_error("AccountAlreadyClosedException", org.close_account, AccountId=account_id)


def test_management_account_cannot_be_closed(org, local, aws_error):
    """API_CloseAccount ("You can't close the management account with this API"):
    ConstraintViolationException reason CANNOT_CLOSE_MANAGEMENT_ACCOUNT."""
    response = aws_error("ConstraintViolationException", org.close_account,
                         AccountId=local.management_account_id)
    assert response["Reason"] == "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"


def test_move_account_checks_the_real_source_parent(org, root_id, make_ou, new_account,
                                                    aws_error):
    """API_MoveAccount: SourceParentNotFoundException when SourceParentId is not its parent."""
    ou = make_ou(root_id, "Elsewhere")
    account_id = new_account("Mover")
    aws_error("SourceParentNotFoundException", org.move_account, AccountId=account_id,
              SourceParentId=ou, DestinationParentId=root_id)
    org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou)
    assert org.list_parents(ChildId=account_id)["Parents"][0]["Id"] == ou


def test_move_account_to_unknown_destination(org, root_id, new_account, aws_error):
    """API_MoveAccount: DestinationParentNotFoundException."""
    account_id = new_account("Lost")
    aws_error("DestinationParentNotFoundException", org.move_account, AccountId=account_id,
              SourceParentId=root_id, DestinationParentId="ou-zzzz-zzzzzzzz")


def test_move_account_to_its_own_parent(org, root_id, new_account, aws_error):
    """API_MoveAccount: DuplicateAccountException."""
    account_id = new_account("Stayer")
    aws_error("DuplicateAccountException", org.move_account, AccountId=account_id,
              SourceParentId=root_id, DestinationParentId=root_id)


def test_move_unknown_account(org, root_id, make_ou, aws_error):
    """API_MoveAccount: AccountNotFoundException."""
    ou = make_ou(root_id, "Target")
    aws_error("AccountNotFoundException", org.move_account, AccountId="000000000000",
              SourceParentId=root_id, DestinationParentId=ou)
