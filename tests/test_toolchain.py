from web3 import Web3

from ledger.chain.compiler import compile_contracts, input_hash, source_files, standard_input
from ledger.chain.deploy import Manifest, deploy, verify_deployment


def test_compiles_reproducibly():
    first = input_hash(standard_input(source_files()))
    assert first == input_hash(standard_input(source_files()))
    assert compile_contracts()["AttestationRegistry"].bytecode.startswith("0x")


def test_deploy_and_verify(w3, dev_accounts, make_sender):
    sender = make_sender(dev_accounts[0])
    contract, record = deploy(sender, "AttestationRegistry", sender.address)
    manifest = Manifest(chain_id=w3.eth.chain_id, contracts={"AttestationRegistry": record})
    [check] = verify_deployment(w3, manifest)
    assert check.matches, check.reason
    registrar = Web3.keccak(text="REGISTRAR_ROLE")
    assert contract.functions.hasRole(registrar, dev_accounts[0].address).call()


# EIP-170: a real chain refuses to deploy runtime code longer than this.
EIP170_RUNTIME_LIMIT = 24_576


def test_every_contract_fits_the_eip170_code_size_limit():
    sizes = {
        name: (len(art.deployed_bytecode) - 2) // 2
        for name, art in compile_contracts().items()
        if len(art.deployed_bytecode) > 2  # interfaces and abstract contracts have none
    }
    assert {"SecuritizationPool", "Waterfall", "PoolFactory", "TrancheToken"} <= set(sizes)
    too_big = {name: size for name, size in sizes.items() if size > EIP170_RUNTIME_LIMIT}
    assert not too_big, f"runtime code over {EIP170_RUNTIME_LIMIT} bytes: {too_big}"


def test_linked_library_is_deployed_linked_and_verified(w3, dev_accounts, make_sender):
    """The pool calls the waterfall as an external library: deploy links it and the
    manifest check compares the code with the library's address in place."""
    sender = make_sender(dev_accounts[0])
    assert compile_contracts()["SecuritizationPool"].libraries == ["Waterfall"]
    _, record = deploy(sender, "SecuritizationPool")
    library = record.libraries["Waterfall"]
    assert w3.eth.get_code(library)
    manifest = Manifest(chain_id=w3.eth.chain_id, contracts={"SecuritizationPool": record})
    [check] = verify_deployment(w3, manifest)
    assert check.matches, check.reason
    record.libraries["Waterfall"] = dev_accounts[1].address  # linked elsewhere: a mismatch
    [check] = verify_deployment(w3, manifest)
    assert not check.matches and check.reason == "runtime bytecode differs"
