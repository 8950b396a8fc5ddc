/* status.c - descriptions and protocol codes of vx_status. */
#include "vortex.h"

static const struct {
	const char *text;
	int code;
} status_table[VX_STATUS_MAX] = {
    [VX_OK] = {"success", 2000},
    [VX_ENOMEM] = {"out of memory", 5001},
    [VX_EINVAL] = {"invalid argument", 5001},
    [VX_EDECODE] = {"malformed DER encoding", 3821},
    [VX_ETRAILING] = {"trailing bytes after DER encoding", 3821},
    [VX_ERANGE] = {"value out of the range the schema allows", 3821},
    [VX_ELIMIT] = {"limit exceeded", 5001},
    [VX_ECRYPTO] = {"crypto library failure", 5001},
    [VX_EAUTH] = {"authentication failed (wrong key, tag or padding)", 3821},
    [VX_ESIGNATURE] = {"signature does not verify", 3821},
    [VX_EMACUNKNOWN] = {"MAC algorithm unknown", 3801},
    [VX_ESYMUNKNOWN] = {"symmetric algorithm or mode unknown", 3802},
    [VX_EASYMUNKNOWN] = {"asymmetric algorithm unknown", 3803},
    [VX_EPRNGUNKNOWN] = {"PRNG algorithm unknown", 3804},
    [VX_EMISSINGPARAM] = {"missing parameters", 3820},
    [VX_EBADPARAM] = {"bad parameters", 3821},
    [VX_ENOTFOUND] = {"not found", 3201},
    [VX_EFWDSECRET] = {"forward secrets do not match", 3821},
    [VX_EEXPIRED] = {"expired or not yet valid", 3202},
    [VX_EMIME] = {"malformed MIME message", 5001},
    [VX_EIO] = {"input/output error", 5001},
    [VX_EUNSUPPORTED] = {"not supported by this node", 5001},
    [VX_ECERT] = {"peer certificate refused", 5001},
    [VX_ELOGIN] = {"login refused", 5001},
};

const char *vx_strerror(vx_status st)
{
	if ((unsigned)st >= VX_STATUS_MAX || !status_table[st].text)
		return "unknown status";
	return status_table[st].text;
}

int vx_status_code(vx_status st)
{
	if ((unsigned)st >= VX_STATUS_MAX || !status_table[st].code)
		return 5001;
	return status_table[st].code;
}
