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
