"""STS AssumeRole refused into chosen roles, as AWS refuses it.

moto lets any caller assume any role ARN, existing or not ("the role does not need to
exist"). AWS refuses AssumeRole when the role's trust policy does not allow the caller, or
the role is not there, with HTTP 403 and the error the STS API reference documents:

    <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/x is not authorized to perform:
    sts:AssumeRole on resource: arn:aws:iam::333333333333:role/y</Message></Error>
    <RequestId>...</RequestId></ErrorResponse>

`moto_server.py --deny-role PATTERN` (repeatable; `*` and `?` globs over the role ARN)
makes those roles refuse every caller, so a test can have one account of an organization
whose role cannot be assumed.
"""

import fnmatch

_DENIED = []


ERROR = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role}</Message>
  </Error>
  <RequestId>{request_id}</RequestId>
</ErrorResponse>"""


def install(patterns):
    """Patch moto's STS (call once, before serving)."""
    _DENIED.extend(patterns)
    if not _DENIED:
        return
    import uuid
    from xml.sax.saxutils import escape

    from moto.sts.responses import TokenResponse

    assume_role = TokenResponse.assume_role

    def refusing(self):
        role_arn = self._get_param("RoleArn") or ""
        if any(fnmatch.fnmatchcase(role_arn, p) for p in _DENIED):
            _, caller, _ = self.backend.get_caller_identity(self.get_access_key(), self.region)
            request_id = str(uuid.uuid4())
            body = ERROR.format(caller=escape(caller), role=escape(role_arn), request_id=request_id)
            return 403, {"status": 403, "Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body
        return assume_role(self)

    TokenResponse.assume_role = refusing
